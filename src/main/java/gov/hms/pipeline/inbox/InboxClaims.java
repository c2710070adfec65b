package gov.hms.pipeline.inbox;

import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.ledger.LedgerDatabase;
import gov.hms.pipeline.ledger.PolicyLeases;
import gov.hms.pipeline.ledger.Sql;
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
 * Which instance deploys an inbox file, when several share one inbox folder: a claim row per file
 * name in the ledger's {@code inbox_claim} table (migration V3), naming the instance
 * ({@code pipeline.audit.instance}) and lasting until {@code claimed_until}. An instance deploys a
 * file only while it holds its claim; it renews all its claims every third of
 * {@code pipeline.inbox.claim-lease} while it lives, so the claim of an instance that died runs out
 * after at most one lease and another instance takes the file over. At start-up an instance drops
 * the claims its previous run left.
 * <p>
 * Taking a claim is an UPDATE of an expired row (or of one this instance holds), else an INSERT: the
 * primary key makes it atomic on H2 and PostgreSQL alike, each statement in its own transaction, no
 * lock held between them. Times are the instances' clocks: keep them in sync (NTP), as for the
 * ledger's policy leases. File locks are deliberately not used: they are unreliable on network file
 * systems.
 */
@ApplicationScoped
public class InboxClaims {

    private final LedgerDatabase database;
    private final String instance;
    private final Duration lease;
    private final boolean enabled;
    private PeriodicTask renewer;

    @Inject
    public InboxClaims(LedgerDatabase database, PipelineConfig config) {
        this(database, config.audit().instance(), config.inbox().claimLease(), config.inbox().enabled());
    }

    /** For tests that play several instances in one JVM. */
    InboxClaims(LedgerDatabase database, String instance, Duration lease, boolean enabled) {
        this.database = database;
        this.instance = instance;
        this.lease = lease;
        this.enabled = enabled;
    }

    void start(@Observes StartupEvent start) throws SQLException {
        if (!enabled) {
            return;
        }
        int dropped = dropClaimsOfPreviousRun();
        if (dropped > 0) {
            Log.warnf("inbox: dropped %d file claim(s) that instance %s held when it stopped; those files are"
                    + " picked up again", dropped, instance);
        }
        long every = Math.max(100, lease.toMillis() / 3);
        renewer = PeriodicTask.start("inbox-claim-renewer", Duration.ofMillis(every), this::renewQuietly);
    }

    @PreDestroy
    void stop() {
        if (renewer != null) {
            renewer.close();
        }
    }

    /** @return how many claims of this instance were dropped */
    int dropClaimsOfPreviousRun() throws SQLException {
        try (Connection connection = database.connection()) {
            return Sql.update(connection, "DELETE FROM inbox_claim WHERE claimed_by = ?", instance);
        }
    }

    /**
     * Claims {@code fileName} (its name relative to the inbox) for this instance until now plus the
     * lease; a claim this instance already holds is renewed.
     *
     * @return whether this instance holds the claim now; {@code false} while another live instance does
     * @throws SQLException if the database fails
     */
    public boolean claim(String fileName) throws SQLException {
        Instant now = Instant.now();
        try (Connection connection = database.connection()) {
            int taken = Sql.update(connection, "UPDATE inbox_claim SET claimed_by = ?, claimed_at = ?, claimed_until = ? "
                    + "WHERE file_name = ? AND (claimed_until < ? OR claimed_by = ?)", instance, now, now.plus(lease),
                    fileName, now, instance);
            if (taken == 1) {
                return true;
            }
            try {
                Sql.update(connection, "INSERT INTO inbox_claim (file_name, claimed_by, claimed_at, claimed_until) "
                        + "VALUES (?, ?, ?, ?)", fileName, instance, now, now.plus(lease));
                return true;
            } catch (SQLException e) {
                if (PolicyLeases.isUniqueViolation(e) || PolicyLeases.isContention(e)) {
                    return false;
                }
                throw e;
            }
        }
    }

    /** Gives up the claim of {@code fileName} if this instance holds it; never throws (a claim left behind runs out). */
    public void release(String fileName) {
        try (Connection connection = database.connection()) {
            Sql.update(connection, "DELETE FROM inbox_claim WHERE file_name = ? AND claimed_by = ?", fileName, instance);
        } catch (SQLException e) {
            Log.errorf("inbox: claim of %s not released (it runs out after %s): %s", fileName, lease, e.getMessage());
        }
    }

    /** Extends every claim this instance holds to now plus the lease. @return how many */
    int renew() throws SQLException {
        Instant now = Instant.now();
        try (Connection connection = database.connection()) {
            return Sql.update(connection, "UPDATE inbox_claim SET claimed_until = ? WHERE claimed_by = ?",
                    now.plus(lease), instance);
        }
    }

    private void renewQuietly() {
        try {
            renew();
        } catch (SQLException | RuntimeException e) {
            Log.warnf("inbox: file claims of instance %s not renewed (tried again in %d ms): %s", instance,
                    Math.max(100, lease.toMillis() / 3), e.getMessage());
        }
    }
}
