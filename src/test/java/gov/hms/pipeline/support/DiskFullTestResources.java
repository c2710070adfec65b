package gov.hms.pipeline.support;

import java.nio.file.Path;
import java.util.Map;

/** {@link PipelineTestResources} with the audit log on a 1 MiB tmpfs ({@link SmallAuditVolume}). */
public class DiskFullTestResources extends PipelineTestResources {

    private static SmallAuditVolume volume;

    @Override
    protected Map<String, String> extraConfig(Path dataDir) {
        volume = SmallAuditVolume.mount(dataDir.resolve("audit-volume"), "1m");
        return Map.of("pipeline.audit.file", volume.dir().resolve("audit.jsonl").toString(),
                "pipeline.audit.checkpoint-every", "1000,1h");
    }

    @Override
    public void stop() {
        super.stop();
        if (volume != null) {
            volume.unmount();
        }
    }

    public static SmallAuditVolume volume() {
        return volume;
    }
}
