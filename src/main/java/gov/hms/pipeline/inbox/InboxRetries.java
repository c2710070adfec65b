package gov.hms.pipeline.inbox;

import gov.hms.pipeline.config.PipelineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Deploy attempts of files that failed transiently (a target down) and wait in the inbox for their
 * next attempt: exponential backoff from {@code pipeline.inbox.retry.*}. {@link InboxReadLock} keeps
 * such a file back until its next attempt is due; meanwhile the inbox goes on with other files.
 * <p>
 * Kept in memory on purpose: after a restart every waiting file simply gets its full number of
 * attempts again, and nothing about a file is ever kept outside the file itself.
 */
@ApplicationScoped
public class InboxRetries {

    private record Waiting(int failedAttempts, Instant notBefore) {
    }

    private final PipelineConfig.Inbox.Retry retry;
    private final Map<Path, Waiting> waiting = new ConcurrentHashMap<>();

    public InboxRetries(PipelineConfig config) {
        this.retry = config.inbox().retry();
    }

    /** The number of the attempt about to start for this file: 1 for a new file. */
    int nextAttempt(Path file) {
        Waiting w = waiting.get(file);
        return w == null ? 1 : w.failedAttempts() + 1;
    }

    /** Whether the file waits for a later attempt (so it must not be read yet). */
    boolean isWaiting(Path file, Instant now) {
        Waiting w = waiting.get(file);
        return w != null && now.isBefore(w.notBefore());
    }

    /**
     * Records a transient failure of the current attempt.
     *
     * @return the delay before the next attempt, or {@code null} when the attempts have run out
     */
    Duration failed(Path file, Instant now) {
        int failed = nextAttempt(file);
        if (failed >= retry.maxAttempts()) {
            waiting.remove(file);
            return null;
        }
        Duration delay = delayAfter(failed);
        waiting.put(file, new Waiting(failed, now.plus(delay)));
        return delay;
    }

    /** The file left the inbox (done or failed): nothing to remember. */
    void forget(Path file) {
        waiting.remove(file);
    }

    int maxAttempts() {
        return retry.maxAttempts();
    }

    /** {@code initial-delay * multiplier^(failed-1)}, at most {@code max-delay}. */
    private Duration delayAfter(int failedAttempts) {
        double millis = retry.initialDelay().toMillis() * Math.pow(retry.multiplier(), failedAttempts - 1);
        return Duration.ofMillis((long) Math.min(millis, retry.maxDelay().toMillis()));
    }
}
