package gov.hms.pipeline.support;

import java.util.Map;

/**
 * {@link PipelineTestResources} with a small rotation size and frequent checkpoints, so a few hundred
 * deployments span several files and many checkpoints.
 */
public class AuditTestResources extends PipelineTestResources {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        config.put("pipeline.audit.rotate", "daily,64K");
        config.put("pipeline.audit.checkpoint-every", "50,1m");
        config.put("pipeline.audit.fsync", "always");
        return config;
    }
}
