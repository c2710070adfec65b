package gov.hms.pipeline.support;

import java.nio.file.Path;
import java.util.Map;

/**
 * As {@link PipelineTestResources}, with a second target {@code mirror} ({@code /mirror/packages})
 * and short per-target timeouts on {@code live} (connect 1 s, response 1 s) so a silent target
 * fails fast; the backoff cap is 5 s so a {@code Retry-After: 2} is honoured in full.
 */
public class ResilienceTestResources extends PipelineTestResources {

    public static final String MIRROR_PATH = "/mirror/packages";

    @Override
    protected Map<String, String> extraConfig(Path dataDir) {
        String base = "http://127.0.0.1:" + wireMock().port();
        return Map.of(
                "pipeline.targets.mirror.url", base + MIRROR_PATH,
                "pipeline.targets.live.connect-timeout", "1s",
                "pipeline.targets.live.response-timeout", "1s",
                "pipeline.delivery.max-delay", "5s");
    }
}
