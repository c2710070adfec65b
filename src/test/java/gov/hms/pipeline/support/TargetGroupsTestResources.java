package gov.hms.pipeline.support;

import java.nio.file.Path;
import java.util.Map;

/**
 * As {@link PipelineTestResources}, with a second configured target {@code clinic-a}
 * ({@value #CLINIC_A}) in the group {@code clinics}; {@code live} is in no group.
 */
public class TargetGroupsTestResources extends PipelineTestResources {

    public static final String CLINIC_A = "/clinic-a/packages";

    @Override
    protected Map<String, String> extraConfig(Path dataDir) {
        return Map.of(
                "pipeline.targets.clinic-a.url", "http://127.0.0.1:" + wireMock().port() + CLINIC_A,
                "pipeline.targets.clinic-a.groups", "clinics,north");
    }
}
