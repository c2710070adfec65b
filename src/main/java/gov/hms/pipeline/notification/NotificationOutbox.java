package gov.hms.pipeline.notification;

import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.api.NotificationOutcome;
import gov.hms.pipeline.ledger.DeploymentLedger;
import gov.hms.pipeline.ledger.Sql;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The durable outbox of notifications: the ledger's {@code notification_outbox} table, one row per
 * notification not yet taken by its subscriber ({@code pending}) or given up on
 * ({@code abandoned}, kept for a person, never sent again). A row is committed before the first
 * attempt and updated after each failed one, so after a restart every pending row is due again at
 * its {@code next_attempt_at}.
 * <p>
 * Retries follow {@code pipeline.notification.retry-schedule} (the waits after the first attempt;
 * Standard Webhooks suggests 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). An entry whose schedule is
 * used up, whose subscriber answered {@code 410 Gone} or is gone from the configuration is abandoned.
 * <p>
 * An entry is <em>claimed</em> while an attempt for it is queued or running: a conditional UPDATE of
 * its {@code claimed_until}, so the scan never hands out an entry an attempt holds, nor one that was
 * just taken and deleted (a row read before its deletion is not claimed after it), and an entry held
 * by a process that died is free again once its claim runs out.
 * <p>
 * Upgrade from 0.5.0, which kept one JSON file per entry in {@code pipeline.notification.outbox-dir}:
 * at start-up each such file is imported once (as pending, or abandoned if it was in
 * {@code abandoned/}) and moved to {@code <outbox-dir>/imported/}.
 */
@ApplicationScoped
@Named("notificationOutbox")
public class NotificationOutbox {

    static final String PENDING = "pending";
    static final String ABANDONED = "abandoned";
    /** Most entries leased at once (bounds the in-memory queue of attempts). */
    static final int MAX_LEASED = 200;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String COLUMNS = "entry_id, subscriber, webhook_id, deployment_id, policy_id, version, source, "
            + "actor, event, created_at, attempts, next_attempt_at, last_error";

    private final DeploymentLedger ledger;
    private final Path legacyDir;
    private final List<Duration> schedule;
    private final Duration claim;
    private final Set<String> leased = ConcurrentHashMap.newKeySet();

    public NotificationOutbox(DeploymentLedger ledger, PipelineConfig config) {
        this.ledger = ledger;
        this.legacyDir = config.notification().outboxDir();
        this.schedule = List.copyOf(config.notification().retrySchedule());
        // Long enough for an attempt queued behind others, then connecting and waiting for the answer.
        Duration attempt = config.notification().connectTimeout().plus(config.notification().responseTimeout());
        this.claim = attempt.multipliedBy(3).compareTo(Duration.ofMinutes(1)) > 0 ? attempt.multipliedBy(3) : Duration.ofMinutes(1);
    }

    /**
     * Stores the entries of one deployment's round in one transaction, each leased for the attempt
     * its caller is about to make, with the deployment's mark that its round began
     * ({@link DeploymentLedger#openNotificationRound}).
     *
     * @param deploymentId the deployment whose round this is (also with no subscriber: the mark is kept)
     * @throws IllegalStateException if the database cannot take them
     */
    public void enqueue(String deploymentId, List<OutboxEntry> entries) {
        entries.forEach(entry -> leased.add(entry.id()));
        try {
            ledger.inTransaction(connection -> {
                insert(connection, entries, PENDING, Instant.now().plus(claim));
                ledger.openNotificationRound(connection, deploymentId, entries.stream()
                        .map(entry -> new NotificationOutcome(entry.subscriber(), NotificationOutcome.PENDING, null, null))
                        .toList());
                return null;
            });
        } catch (SQLException e) {
            entries.forEach(entry -> leased.remove(entry.id()));
            throw new IllegalStateException("outbox entries could not be stored: " + e.getMessage(), e);
        }
    }

    /**
     * The scan of the {@code notification-outbox} route: pending entries due now that are not
     * leased, oldest due first, now leased to the caller.
     *
     * @return at most as many as keep the leased total under {@value #MAX_LEASED}
     */
    public List<OutboxEntry> takeDue() {
        int room = MAX_LEASED - leased.size();
        if (room <= 0) {
            return List.of();
        }
        List<OutboxEntry> taken = new ArrayList<>();
        Instant now = Instant.now();
        try (Connection connection = ledger.connection()) {
            for (OutboxEntry entry : Sql.query(connection, "SELECT " + COLUMNS + " FROM notification_outbox "
                    + "WHERE status = ? AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
                    + "ORDER BY next_attempt_at, entry_id FETCH FIRST " + room + " ROWS ONLY",
                    NotificationOutbox::entryOf, PENDING, now, now)) {
                if (Sql.update(connection, "UPDATE notification_outbox SET claimed_until = ? WHERE entry_id = ? "
                        + "AND status = ? AND (claimed_until IS NULL OR claimed_until < ?)",
                        now.plus(claim), entry.id(), PENDING, now) == 1) {
                    leased.add(entry.id());
                    taken.add(entry);
                }
            }
        } catch (SQLException e) {
            Log.errorf("outbox cannot be scanned: %s", e.getMessage());
        }
        return taken;
    }

    /** The subscriber took it: the entry goes. */
    public void delivered(OutboxEntry entry) {
        try (Connection connection = ledger.connection()) {
            Sql.update(connection, "DELETE FROM notification_outbox WHERE entry_id = ?", entry.id());
        } catch (SQLException e) {
            // Worst case it is sent once more after the next scan, with the same webhook-id.
            Log.errorf("outbox entry %s could not be removed: %s", entry.id(), e.getMessage());
        } finally {
            leased.remove(entry.id());
        }
    }

    /**
     * Records a failed attempt: the entry gets its next due time, or is abandoned when the
     * schedule is used up.
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
            update(entry.failedAttempt(error, Instant.now().plus(wait).toString()), PENDING);
            return Optional.of(wait);
        } finally {
            leased.remove(entry.id());
        }
    }

    /** Gives up on an entry: abandoned with the reason, never sent again. */
    public void abandon(OutboxEntry entry, String reason) {
        try {
            update(entry.failedAttempt(reason + (entry.lastError() == null ? "" : "; last error: " + entry.lastError()),
                    null), ABANDONED);
            Log.warnf("outbox entry %s (deployment %s, subscriber %s) abandoned: %s", entry.id(), entry.deploymentId(),
                    entry.subscriber(), reason);
        } finally {
            leased.remove(entry.id());
        }
    }

    /** Attempts in all before an entry is given up: the first plus one per schedule step. */
    public int maxAttempts() {
        return schedule.size() + 1;
    }

    /** @return how many entries are pending (not yet taken, not given up), or -1 if the database cannot say */
    public long pending() {
        return count(PENDING);
    }

    /** @return how many entries were given up on, or -1 if the database cannot say */
    public long abandoned() {
        return count(ABANDONED);
    }

    private long count(String status) {
        try (Connection connection = ledger.connection()) {
            return Sql.queryOne(connection, "SELECT COUNT(*) FROM notification_outbox WHERE status = ?",
                    row -> row.getLong(1), status).orElse(0L);
        } catch (SQLException e) {
            return -1;
        }
    }

    /** Imports the entry files a 0.5.0 outbox folder left, once (see the class comment). */
    void importLegacyFiles(@Observes StartupEvent start) throws SQLException {
        int imported = importFolder(legacyDir, PENDING) + importFolder(legacyDir.resolve("abandoned"), ABANDONED);
        if (imported > 0) {
            Log.warnf("outbox: imported %d entry file(s) of a 0.5.0 outbox from %s (moved to %s)", imported, legacyDir,
                    legacyDir.resolve("imported"));
        }
    }

    private int importFolder(Path dir, String status) throws SQLException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).toList();
        } catch (IOException e) {
            Log.errorf("outbox: the 0.5.0 folder %s cannot be read: %s", dir, e.getMessage());
            return 0;
        }
        int imported = 0;
        for (Path file : files) {
            try (Connection connection = ledger.connection()) {
                OutboxEntry entry = MAPPER.readValue(file.toFile(), OutboxEntry.class);
                if (!exists(connection, entry.id())) {
                    insert(connection, List.of(entry), status, null);
                }
                Path imported0 = legacyDir.resolve("imported");
                Files.createDirectories(imported0);
                Files.move(file, imported0.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                imported++;
            } catch (IOException e) {
                Log.errorf("outbox: the 0.5.0 entry %s cannot be imported (left where it is): %s", file, e.getMessage());
            }
        }
        return imported;
    }

    private static boolean exists(Connection connection, String id) throws SQLException {
        return Sql.queryOne(connection, "SELECT 1 FROM notification_outbox WHERE entry_id = ?", row -> true, id).isPresent();
    }

    private static void insert(Connection connection, List<OutboxEntry> entries, String status, Instant claimedUntil)
            throws SQLException {
        for (OutboxEntry entry : entries) {
            Sql.update(connection, "INSERT INTO notification_outbox (" + COLUMNS + ", status, claimed_until) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", entry.id(), entry.subscriber(), entry.webhookId(),
                    entry.deploymentId(), entry.policyId(), entry.version(), entry.source(), entry.actor(), entry.event(),
                    instant(entry.createdAt()).orElseGet(Instant::now), entry.attempts(),
                    ABANDONED.equals(status) ? null : instant(entry.nextAttemptAt()).orElse(null),
                    clip(entry.lastError()), status, claimedUntil);
        }
    }

    private void update(OutboxEntry entry, String status) {
        try (Connection connection = ledger.connection()) {
            Sql.update(connection, "UPDATE notification_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, "
                    + "status = ?, claimed_until = NULL WHERE entry_id = ?", entry.attempts(), instant(entry.nextAttemptAt()).orElse(null),
                    clip(entry.lastError()), status, entry.id());
        } catch (SQLException e) {
            throw new IllegalStateException("outbox entry " + entry.id() + " could not be updated: " + e.getMessage(), e);
        }
    }

    private static OutboxEntry entryOf(ResultSet row) throws SQLException {
        return new OutboxEntry(row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5),
                row.getString(6), row.getString(7), row.getString(8), row.getString(9), Sql.time(row, 10), row.getInt(11),
                Sql.time(row, 12), row.getString(13));
    }

    private static Optional<Instant> instant(String rfc3339) {
        if (rfc3339 == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(rfc3339));
        } catch (DateTimeParseException e) {
            return Optional.of(Instant.now()); // unreadable: due now
        }
    }

    private static String clip(String text) {
        return text == null || text.length() <= 2000 ? text : text.substring(0, 1999) + "…";
    }
}
