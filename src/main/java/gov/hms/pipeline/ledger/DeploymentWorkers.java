package gov.hms.pipeline.ledger;

import gov.hms.pipeline.config.SchedulingConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run deployments nobody waits for: {@code Prefer: respond-async} requests (the
 * {@code http-ingest} route's wire tap) and due scheduled activations. {@code pipeline.scheduling.workers}
 * threads and a queue of {@value #QUEUE} deployments; beyond that the submitting thread runs the
 * deployment itself (an asynchronous request then takes as long as a synchronous one, and nothing
 * is dropped).
 */
@ApplicationScoped
public class DeploymentWorkers {

    static final int QUEUE = 1000;

    private final ThreadPoolExecutor executor;

    public DeploymentWorkers(SchedulingConfig config) {
        AtomicInteger count = new AtomicInteger();
        executor = new ThreadPoolExecutor(config.workers(), config.workers(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE), runnable -> {
                    Thread thread = new Thread(runnable, "deployment-worker-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    @Produces
    @Singleton
    @Named("deploymentWorkers")
    ExecutorService deploymentWorkers() {
        return executor;
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
