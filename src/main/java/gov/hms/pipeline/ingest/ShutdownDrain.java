package gov.hms.pipeline.ingest;

import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;

/**
 * The service's own graceful shutdown, in front of everything else (docs/operations.md, "Shutdown"):
 * at the very start of shutdown (Quarkus's pre-shutdown phase, {@link ShutdownDelayInitiatedEvent},
 * before the HTTP server or Camel stop) new HTTP requests get the contract's JSON 503 with
 * {@code Retry-After} (RFC 9110 section 15.6.4), the inbox and queue consumers stop, and requests
 * already accepted get up to {@code pipeline.shutdown-timeout} to finish and be answered. Only then
 * do Camel (what is left: {@code camel.main.shutdown-timeout}) and the audit log (last) close.
 * Quarkus's own {@code quarkus.shutdown.timeout} is not used: its filter answers an empty 503
 * before any handler of ours runs.
 */
@ApplicationScoped
public class ShutdownDrain {

    /** Consumers that take work by themselves; stopped first so nothing new starts. */
    static final List<String> CONSUMER_ROUTES = List.of("inbox-ingest", "queue-ingest");

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Duration budget;
    private final CamelContext camel;
    private volatile boolean draining;

    public ShutdownDrain(PipelineConfig config, CamelContext camel) {
        this.budget = config.shutdownTimeout();
        this.camel = camel;
    }

    void install(@Observes Router router) {
        // Before authentication and every route, so a refused request costs nothing.
        router.route().order(Integer.MIN_VALUE + 1).handler(this::admit);
    }

    private void admit(RoutingContext context) {
        if (context.request().path().startsWith("/q/")) {
            context.next();     // probes and metrics still answer while draining
            return;
        }
        if (draining) {
            context.response().setStatusCode(503)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Retry-After", HttpIngress.RETRY_AFTER_SECONDS)
                    .putHeader("Connection", "close")
                    .end(new JsonObject().put("status", "failure")
                            .put("error", "The service is shutting down; retry on another instance or after it restarts")
                            .encode());
            return;
        }
        inFlight.incrementAndGet();
        context.addEndHandler(done -> inFlight.decrementAndGet());
        context.next();
    }

    /** Whether shutdown has begun (new work is refused). */
    public boolean draining() {
        return draining;
    }

    /**
     * Refuses new work, stops the consumers and waits until every accepted request is answered or
     * the budget is spent; runs on the shutdown thread, which it holds until then.
     */
    void drain(@Observes ShutdownDelayInitiatedEvent event) {
        draining = true;
        long deadline = System.nanoTime() + budget.toNanos();
        Log.infof("shutdown: new requests are refused (503); consumers stopping; %d HTTP request(s) in flight get up to %s",
                inFlight.get(), budget);
        for (String routeId : CONSUMER_ROUTES) {
            stopConsumer(routeId, deadline);
        }
        try {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (inFlight.get() > 0) {
            Log.warnf("shutdown: %d HTTP request(s) still in flight after pipeline.shutdown-timeout=%s; their "
                    + "deployments end as interrupted at the next start if they do not finish", inFlight.get(), budget);
        } else {
            Log.info("shutdown: every accepted request was answered");
        }
    }

    /** Stops a consumer route, letting its in-flight exchanges finish within what is left of the budget. */
    private void stopConsumer(String routeId, long deadline) {
        if (camel.getRoute(routeId) == null) {
            return;
        }
        long left = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
        try {
            camel.getRouteController().stopRoute(routeId, left, TimeUnit.SECONDS);
        } catch (Exception e) {
            Log.warnf("shutdown: could not stop route %s: %s", routeId, e.toString());
        }
    }
}
