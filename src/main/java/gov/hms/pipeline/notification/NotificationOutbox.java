package gov.hms.pipeline.notification;

import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.storage.AtomicFiles;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The durable outbox of notifications: one JSON file per notification not yet taken, under
 * {@code pipeline.notification.outbox-dir}, written atomically ({@link AtomicFiles}) before the
 * first attempt and rewritten (forced to disk) after each failed one. The first write is not
 * forced: most entries are taken within milliseconds and deleted, so {@link #secure(Collection)}
 * forces only those still there when the deployment's caller is answered. Until then a power loss
 * can take an entry, but the caller was not answered either, and retries the deployment. The files
 * are the only state that matters: after a restart every entry found is due again (at its
 * {@code nextAttemptAt}).
 * <p>
 * Retries follow {@code pipeline.notification.retry-schedule} (the waits after the first attempt;
 * Standard Webhooks suggests 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). An entry whose schedule is
 * used up, whose subscriber answered {@code 410 Gone} or is gone from the configuration is moved to
 * {@code <outbox-dir>/abandoned/} — kept for a person, never sent again.
 * <p>
 * Within this process an entry is <em>leased</em> while an attempt for it is queued or running,
 * so the scan never hands out the same entry twice.
 */
@ApplicationScoped
@Named("notificationOutbox")
public class NotificationOutbox {

    /** Sub-folder of entries given up on. */
    public static final String ABANDONED = "abandoned";
    /** Most entries leased at once (bounds the in-memory queue of attempts). */
    static final int MAX_LEASED = 200;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path dir;
    private final List<Duration> schedule;
    private final Set<String> leased = ConcurrentHashMap.newKeySet();

    public NotificationOutbox(PipelineConfig config) {
        this.dir = config.notification().outboxDir();
        this.schedule = List.copyOf(config.notification().retrySchedule());
    }

    /**
     * Writes a new entry (not yet forced: see {@link #secure(Collection)}), leased for the attempt
     * its caller is about to make.
     *
     * @throws UncheckedIOException if the outbox folder cannot be written
     */
    public void enqueue(OutboxEntry entry) {
        leased.add(entry.id());
        try {
            AtomicFiles.writeUnforced(fileOf(entry.id()), MAPPER.writeValueAsBytes(entry));
        } catch (IOException e) {
            leased.remove(entry.id());
            throw new UncheckedIOException("outbox entry for subscriber " + entry.subscriber() + " could not be written to " + dir, e);
        }
    }

    /**
     * The scan of the {@code notification-outbox} route: entries due now that are not leased,
     * oldest due first, now leased to the caller.
     *
     * @return at most as many as keep the leased total under {@value #MAX_LEASED}
     */
    public List<OutboxEntry> takeDue() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Instant now = Instant.now();
        List<OutboxEntry> due = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(AtomicFiles::isStoredJson).toList()) {
                String id = file.getFileName().toString().replaceFirst("\\.json$", "");
                if (leased.contains(id)) {
                    continue;
                }
                read(file).filter(entry -> isDue(entry, now)).ifPresent(due::add);
            }
        } catch (IOException e) {
            Log.errorf("outbox %s cannot be scanned: %s", dir, e.toString());
            return List.of();
        }
        due.sort(Comparator.comparing(OutboxEntry::nextAttemptAt));
        List<OutboxEntry> taken = new ArrayList<>();
        for (OutboxEntry entry : due) {
            if (leased.size() >= MAX_LEASED) {
                break;
            }
            if (leased.add(entry.id())) {
                taken.add(entry);
            }
        }
        return taken;
    }

    /**
     * Forces to disk the entries still in the outbox (not taken yet), before the deployment's caller
     * is told they are pending; entries taken meanwhile are gone and skipped.
     *
     * @throws UncheckedIOException if one cannot be forced
     */
    public void secure(Collection<OutboxEntry> entries) {
        try {
            AtomicFiles.forceAll(entries.stream().map(entry -> fileOf(entry.id())).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("outbox entries could not be forced to disk in " + dir, e);
        }
    }

    /** The subscriber took it: the entry goes. */
    public void delivered(OutboxEntry entry) {
        try {
            Files.deleteIfExists(fileOf(entry.id()));
        } catch (IOException e) {
            // Worst case it is sent once more after the next scan, with the same webhook-id.
            Log.errorf("outbox entry %s could not be removed: %s", entry.id(), e.toString());
        } finally {
            leased.remove(entry.id());
        }
    }

    /**
     * Records a failed attempt: the entry is rewritten with its next due time, or abandoned when
     * the schedule is used up.
     *
     * @return the wait until the next attempt, or empty if the entry was abandoned
     */
    public Optional<Duration> failed(OutboxEntry entry, String error) {
        int attemptsMade = entry.attempts() + 1;
        try {
            if (attemptsMade > schedule.size()) {
                abandon(entry.failedAttempt(error, null), "retries used up");
                return Optional.empty();
            }
            Duration wait = schedule.get(attemptsMade - 1);
            write(dir, entry.failedAttempt(error, Instant.now().plus(wait).toString()));
            return Optional.of(wait);
        } catch (IOException e) {
            throw new UncheckedIOException("outbox entry " + entry.id() + " could not be rewritten", e);
        } finally {
            leased.remove(entry.id());
        }
    }

    /** Gives up on an entry: moved to {@code abandoned/} with the reason, never sent again. */
    public void abandon(OutboxEntry entry, String reason) {
        try {
            Path abandoned = dir.resolve(ABANDONED).resolve(entry.id() + ".json");
            write(abandoned.getParent(), entry.failedAttempt(reason + (entry.lastError() == null ? "" : "; last error: "
                    + entry.lastError()), null));
            Files.deleteIfExists(fileOf(entry.id()));
            Log.warnf("outbox entry %s (deployment %s, subscriber %s) abandoned: %s", entry.id(), entry.deploymentId(),
                    entry.subscriber(), reason);
        } catch (IOException e) {
            throw new UncheckedIOException("outbox entry " + entry.id() + " could not be abandoned", e);
        } finally {
            leased.remove(entry.id());
        }
    }

    /** Attempts in all before an entry is given up: the first plus one per schedule step. */
    public int maxAttempts() {
        return schedule.size() + 1;
    }

    /**
     * Writes an entry into an outbox folder the way this service does (atomically, {@code <id>.json});
     * public so a test can leave a pending entry as an earlier process would have.
     */
    public static void write(Path outboxDir, OutboxEntry entry) throws IOException {
        AtomicFiles.write(outboxDir.resolve(entry.id() + ".json"), MAPPER.writeValueAsBytes(entry));
    }

    private static boolean isDue(OutboxEntry entry, Instant now) {
        try {
            return entry.nextAttemptAt() == null || !Instant.parse(entry.nextAttemptAt()).isAfter(now);
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    private Optional<OutboxEntry> read(Path file) {
        try {
            OutboxEntry entry = MAPPER.readValue(file.toFile(), OutboxEntry.class);
            if (!file.getFileName().toString().equals(entry.id() + ".json")) {
                throw new IOException("its id does not match its file name");
            }
            return Optional.of(entry);
        } catch (IOException e) {
            if (Files.exists(file)) {
                // Not ours to fix and must not block the rest: set aside for a person.
                Log.errorf("outbox file %s cannot be read (%s); moved to %s", file, e.getMessage(), ABANDONED);
                try {
                    Files.createDirectories(dir.resolve(ABANDONED));
                    Files.move(file, dir.resolve(ABANDONED).resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException moveFailed) {
                    Log.errorf("outbox file %s cannot be moved aside: %s", file, moveFailed.toString());
                }
            }
            return Optional.empty();
        }
    }

    private Path fileOf(String id) {
        return dir.resolve(id + ".json");
    }
}
