package gov.hms.pipeline.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Scheduled activations and asynchronous deployments, prefix {@code pipeline.scheduling} (docs/scheduling.md). */
@ConfigMapping(prefix = "pipeline.scheduling")
public interface SchedulingConfig {

    /** How often each instance looks for due activations; the delay after {@code activateAt} is at most about this. */
    @WithDefault("250ms")
    Duration pollInterval();

    /**
     * How long an instance holds a due activation it claimed before another may take it over (its
     * holder died before admitting it).
     */
    @WithDefault("2m")
    Duration claim();

    /** An activation that starts more than this after its {@code activateAt} is marked {@code late}. */
    @WithDefault("5s")
    Duration tolerance();

    /** Deployments this instance runs at once for due activations and {@code Prefer: respond-async} requests. */
    @WithDefault("4")
    int workers();
}
