package gov.hms.pipeline.delivery;

import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.api.Deployment;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Progress of the fan-outs running on this instance: how many targets of each deployment have
 * taken the package, were given up, or are still pending.
 * <ul>
 * <li><b>Log</b>: one INFO line each time a fan-out of at least {@value #LOGGED_FROM} targets passes
 * another tenth of its targets, and at least every {@value #REPORT_SECONDS} s while it runs (route
 * {@code fan-out-progress}), e.g. {@code deployment … policy p: fan-out 500 of 1000 targets done in
 * 3.2 s: delivered 495, failed 5, pending 500}; one at its end.</li>
 * <li><b>Metrics</b> (summed over the running fan-outs, 0 when none runs):
 * {@code pipeline_fanout_targets{state="delivered"|"failed"|"pending"}} and
 * {@code pipeline_fanout_deployments} (fan-outs running).</li>
 * </ul>
 * Targets report from the split's threads at once, hence the atomic counts.
 */
@ApplicationScoped
@Named("fanOutProgress")
public class FanOutProgress {

    /** The smallest fan-out whose progress is logged (smaller ones log each target's failure only). */
    public static final int LOGGED_FROM = 10;
    /** The longest a running fan-out goes without a progress line. */
    public static final int REPORT_SECONDS = 10;

    private final Map<String, Tally> running = new ConcurrentHashMap<>();

    public FanOutProgress(MeterRegistry registry) {
        // A registry that outlives an application (the global one, in a test JVM that starts several)
        // would hand back the earlier application's gauges, reading its tallies: these are this one's.
        registry.find(TARGETS_GAUGE).meters().forEach(registry::remove);
        registry.find(DEPLOYMENTS_GAUGE).meters().forEach(registry::remove);
        gauge(registry, "delivered", t -> t.delivered.get());
        gauge(registry, "failed", t -> t.failed.get());
        gauge(registry, "pending", Tally::pending);
        Gauge.builder(DEPLOYMENTS_GAUGE, running::size)
                .description("Deployments fanning out to their targets on this instance").register(registry);
    }

    private static final String TARGETS_GAUGE = "pipeline.fanout.targets";
    private static final String DEPLOYMENTS_GAUGE = "pipeline.fanout.deployments";

    private void gauge(MeterRegistry registry, String state, ToIntFunction<Tally> count) {
        Gauge.builder(TARGETS_GAUGE, () -> running.values().stream().mapToInt(count).sum())
                .description("Targets of the running fan-outs, by state").tag("state", state).register(registry);
    }

    /** Before the split: this deployment's targets are all pending. Whatever happens, its tally goes with the exchange. */
    public void begin(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        List<String> targets = deployment.targetNames();
        Tally tally = new Tally(deployment.id(), deployment.policyId(), targets == null ? 0 : targets.size());
        running.put(deployment.id(), tally);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                running.remove(deployment.id());
            }
        });
    }

    /** After each target's outcome (property {@value TargetDelivery#OUTCOME}); a delivery outside a fan-out (a retry) is not counted. */
    public void count(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        DeliveryOutcome outcome = exchange.getProperty(TargetDelivery.OUTCOME, DeliveryOutcome.class);
        Tally tally = deployment == null ? null : running.get(deployment.id());
        if (tally == null || outcome == null) {
            return;
        }
        (outcome.delivered() ? tally.delivered : tally.failed).incrementAndGet();
        int done = tally.done();
        int tenth = tally.total == 0 ? 10 : done * 10 / tally.total;
        int before = tally.loggedTenth.get();
        if (tally.total >= LOGGED_FROM && tenth > before && tally.loggedTenth.compareAndSet(before, tenth) && done < tally.total) {
            log(tally);
        }
    }

    /** After the split: every target has its outcome. */
    public void end(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        Tally tally = running.remove(deployment.id());
        if (tally != null && tally.total >= LOGGED_FROM) {
            log(tally);
        }
    }

    /** Every {@value #REPORT_SECONDS} s (route {@code fan-out-progress}): a line for each fan-out that logged none for that long. */
    public void report() {
        long now = System.nanoTime();
        for (Tally tally : running.values()) {
            if (tally.total >= LOGGED_FROM && now - tally.loggedAt.get() >= Duration.ofSeconds(REPORT_SECONDS).toNanos()) {
                log(tally);
            }
        }
    }

    private static void log(Tally tally) {
        long now = System.nanoTime();
        tally.loggedAt.set(now);
        Log.infof("deployment %s: policy %s: fan-out %d of %d targets done in %.1f s: delivered %d, failed %d, pending %d",
                tally.deploymentId, tally.policyId, tally.done(), tally.total, (now - tally.startedNanos) / 1e9,
                tally.delivered.get(), tally.failed.get(), tally.pending());
    }

    private static final class Tally {
        final String deploymentId;
        final String policyId;
        final int total;
        final long startedNanos = System.nanoTime();
        final AtomicInteger delivered = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger loggedTenth = new AtomicInteger();
        final AtomicLong loggedAt = new AtomicLong(startedNanos);

        Tally(String deploymentId, String policyId, int total) {
            this.deploymentId = deploymentId;
            this.policyId = policyId;
            this.total = total;
        }

        int done() {
            return delivered.get() + failed.get();
        }

        int pending() {
            return Math.max(0, total - done());
        }
    }
}
