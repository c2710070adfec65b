package gov.hms.pipeline.service;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A task run on a daemon thread of its own, again and again with a fixed pause between the end of one
 * run and the start of the next (a slow run never overlaps the next), until {@link #close()}. For the
 * instance's housekeeping in the shared ledger (heartbeats, claim renewals, sweeps), which must go on
 * whatever Camel's routes are doing.
 */
public final class PeriodicTask implements AutoCloseable {

    private final ScheduledExecutorService executor;

    private PeriodicTask(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /**
     * @param thread the thread's name, as it appears in thread dumps and log lines
     * @param every  the pause, also before the first run; at least 1 ms
     * @param task   must not throw (an exception would end the repetition): catch and log inside
     */
    public static PeriodicTask start(String thread, Duration every, Runnable task) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread daemon = new Thread(runnable, thread);
            daemon.setDaemon(true);
            return daemon;
        });
        long millis = Math.max(1, every.toMillis());
        executor.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS);
        return new PeriodicTask(executor);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
