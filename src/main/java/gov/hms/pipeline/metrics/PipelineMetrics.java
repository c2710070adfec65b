package gov.hms.pipeline.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The service's own Micrometer meters, scraped in Prometheus form at {@code /q/metrics}:
 * <ul>
 * <li>{@code pipeline_deployments_total{source,outcome}}: outcome {@code success}, {@code failure}, {@code dry-run}</li>
 * <li>{@code pipeline_deployment_duration_seconds{source,outcome}}: end-to-end time, a histogram</li>
 * <li>{@code pipeline_delivery_attempts_total{target}} and {@code pipeline_delivery_failures_total{target}}</li>
 * <li>{@code pipeline_notification_failures_total{subscriber}}</li>
 * </ul>
 * The counters per target and subscriber are registered at start-up, at 0, for every enabled one: a
 * series that appears only with the first failure cannot be told apart from a scrape that lost it, and
 * {@code rate()} or {@code increase()} miss that first failure.
 */
@Startup
@ApplicationScoped
public class PipelineMetrics {

    private final MeterRegistry registry;

    public PipelineMetrics(MeterRegistry registry, PipelineConfig config) {
        this.registry = registry;
        config.targets().forEach((name, target) -> {
            if (target.enabled()) {
                attempts(name);
                failures(name);
            }
        });
        config.subscribers().forEach((name, subscriber) -> {
            if (subscriber.enabled()) {
                notificationFailures(name);
            }
        });
    }

    /**
     * @param source  {@code http}, {@code file}, {@code queue} or {@code api}
     * @param outcome {@code success}, {@code failure} or {@code dry-run}
     * @param elapsed from receipt to answer
     */
    public void deploymentEnded(String source, String outcome, Duration elapsed) {
        Counter.builder("pipeline.deployments").description("Deployments by source and outcome")
                .tag("source", source).tag("outcome", outcome).register(registry).increment();
        Timer.builder("pipeline.deployment.duration").description("End-to-end deployment time")
                .tag("source", source).tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry).record(elapsed);
    }

    /** @param attempts requests sent to the target for one deployment, the first included */
    public void deliveryEnded(String target, int attempts, boolean delivered) {
        attempts(target).increment(attempts);
        if (!delivered) {
            failures(target).increment();
        }
    }

    public void notificationFailed(String subscriber) {
        notificationFailures(subscriber).increment();
    }

    private Counter attempts(String target) {
        return Counter.builder("pipeline.delivery.attempts").description("HTTP requests sent to a target")
                .tag("target", target).register(registry);
    }

    private Counter failures(String target) {
        return Counter.builder("pipeline.delivery.failures").description("Deliveries a target finally did not accept")
                .tag("target", target).register(registry);
    }

    private Counter notificationFailures(String subscriber) {
        return Counter.builder("pipeline.notification.failures").description("CloudEvents a subscriber did not take")
                .tag("subscriber", subscriber).register(registry);
    }
}
