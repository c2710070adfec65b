package gov.hms.pipeline.health;

import io.smallrye.health.api.HealthRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.camel.quarkus.main.events.AfterStart;
import org.eclipse.microprofile.health.Readiness;

/**
 * Keeps Camel's {@code context} health check as liveness only ({@code GET /q/health/live}). Camel registers
 * it as both liveness and readiness, so {@code GET /q/health}, the union of the two, listed it twice; Camel
 * 4.17 has no setting for a check's kind. Readiness keeps {@code camel-routes} and {@code camel-consumers},
 * which cannot be UP without a started context, while a stopped context never comes back by itself: a reason
 * to restart the process, which is what liveness is for. Done once Camel has started, when its checks are
 * registered, through SmallRye Health's registry API.
 */
@ApplicationScoped
public class CamelContextLiveness {

    static final String CHECK = "context";

    private final HealthRegistry readiness;

    public CamelContextLiveness(@Readiness HealthRegistry readiness) {
        this.readiness = readiness;
    }

    void removeFromReadiness(@Observes AfterStart started) {
        try {
            readiness.remove(CHECK);
        } catch (IllegalStateException notRegistered) {
            // Camel registered it as liveness only: nothing to do.
        }
    }
}
