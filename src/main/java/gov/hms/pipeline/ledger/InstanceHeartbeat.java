package gov.hms.pipeline.ledger;

import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.service.PeriodicTask;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * This instance's sign of life in the shared ledger: a row per instance ({@code pipeline.audit.instance})
 * in {@code instance_heartbeat} whose {@code alive_until} it moves to now plus three heartbeats, every
 * {@code pipeline.ledger.heartbeat} (5 s), from start-up on. An instance whose {@code alive_until} has
 * passed is taken for dead: the policy leases it held are free at once ({@link PolicyLeases}), so a
 * crash blocks its in-flight policy ids for about three heartbeats, not for {@code pipeline.ledger.lease}.
 * A live instance that cannot reach the database for that long is taken for dead too; its deployments
 * in flight may then be repeated by another instance, with the same {@code Idempotency-Key}.
 */
@ApplicationScoped
public class InstanceHeartbeat {

    private static final int BEATS_OF_SILENCE = 3;

    private final LedgerDatabase database;
    private final String instance;
    private final Duration every;
    private final Instant started = Instant.now();
    private PeriodicTask beater;

    @Inject
    public InstanceHeartbeat(LedgerDatabase database, PipelineConfig config) {
        this(database, config.audit().instance(), config.ledger().heartbeat());
    }

    InstanceHeartbeat(LedgerDatabase database, String instance, Duration every) {
        this.database = database;
        this.instance = instance;
        this.every = every;
    }

    void start(@Observes StartupEvent start) throws SQLException {
        beat();
        beater = PeriodicTask.start("instance-heartbeat", every, this::beatQuietly);
    }

    @PreDestroy
    void stop() {
        if (beater != null) {
            beater.close();
        }
    }

    /** Records that this instance is alive until now plus three heartbeats. */
    void beat() throws SQLException {
        Instant now = Instant.now();
        Instant aliveUntil = now.plus(every.multipliedBy(BEATS_OF_SILENCE));
        try (Connection connection = database.connection()) {
            if (Sql.update(connection, "UPDATE instance_heartbeat SET seen_at = ?, alive_until = ? WHERE instance = ?",
                    now, aliveUntil, instance) == 0) {
                try {
                    Sql.update(connection, "INSERT INTO instance_heartbeat (instance, started_at, seen_at, alive_until) "
                            + "VALUES (?, ?, ?, ?)", instance, started, now, aliveUntil);
                } catch (SQLException e) {
                    if (!PolicyLeases.isUniqueViolation(e)) {
                        throw e;
                    }
                    // Another process under the same instance name inserted it first: a configuration error
                    // the audit log's lock reports; the next beat updates the row.
                }
            }
        }
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (SQLException | RuntimeException e) {
            Log.warnf("instance %s: heartbeat not recorded (tried again in %s; after %d missed beats other instances"
                    + " take this one for dead): %s", instance, every, BEATS_OF_SILENCE, e.getMessage());
        }
    }
}
