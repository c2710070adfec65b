package gov.hms.pipeline.ledger;

import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * One deployment per policy id at a time, across threads and instances: a lease row per policy id
 * in the ledger's {@code policy_lease} table. A lease names its holder (a deployment id) and
 * expires after {@code pipeline.ledger.lease}, so a holder that dies without releasing blocks
 * others for that long at most; at start-up an instance drops the leases its previous run held
 * (by {@code pipeline.audit.instance}), and the leases of an instance that stopped sending heartbeats
 * ({@link InstanceHeartbeat}) are free at once. Taking a lease is an INSERT (or an UPDATE of an expired
 * row): the primary key makes it atomic on H2 and PostgreSQL alike, with no lock held between
 * statements.
 */
@ApplicationScoped
public class PolicyLeases {

    private static final long FIRST_PAUSE_MILLIS = 5;
    private static final long LONGEST_PAUSE_MILLIS = 100;

    private final LedgerDatabase database;
    private final Duration lease;
    private final Duration wait;
    private final String instance;

    public PolicyLeases(LedgerDatabase database, PipelineConfig config) {
        this.database = database;
        this.lease = config.ledger().lease();
        this.wait = config.ledger().leaseWait();
        this.instance = config.audit().instance();
    }

    void releaseLeasesOfPreviousRun(@Observes StartupEvent start) throws SQLException {
        try (Connection connection = database.connection()) {
            int dropped = Sql.update(connection, "DELETE FROM policy_lease WHERE instance = ?", instance);
            if (dropped > 0) {
                Log.warnf("dropped %d policy lease(s) that instance %s held when it stopped", dropped, instance);
            }
        }
    }

    /**
     * Takes the lease of {@code policyId} for {@code holder}, waiting up to {@code pipeline.ledger.lease-wait}
     * while another holds it.
     *
     * @throws LedgerConflictException (409) if it is still held when the wait ends
     * @throws SQLException            if the database fails
     */
    public void acquire(String policyId, String holder) throws SQLException, InterruptedException {
        Instant deadline = Instant.now().plus(wait);
        long pause = FIRST_PAUSE_MILLIS;
        while (!tryAcquire(policyId, holder)) {
            if (Instant.now().isAfter(deadline)) {
                throw new LedgerConflictException("another deployment of policy " + policyId
                        + " is still in progress after " + wait.toSeconds() + " s; try again later");
            }
            Thread.sleep(pause);
            pause = Math.min(LONGEST_PAUSE_MILLIS, pause * 2);
        }
    }

    /**
     * Runs {@code work} in one transaction that also takes the lease of {@code policyId} for
     * {@code holder} (so taking it costs no commit of its own); while another holds it, the
     * transaction is rolled back and tried again, up to {@code pipeline.ledger.lease-wait}. When
     * {@code work} throws, the lease is not taken.
     *
     * @throws LedgerConflictException (409) if it is still held when the wait ends
     */
    public <T> T underLease(String policyId, String holder, DeploymentLedger ledger,
            DeploymentLedger.TransactionWork<T> work) throws SQLException, InterruptedException {
        Instant deadline = Instant.now().plus(wait);
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            try {
                return ledger.inTransaction(connection -> {
                    if (!tryAcquire(connection, policyId, holder)) {
                        throw new LeaseTaken();
                    }
                    return work.run(connection);
                });
            } catch (LeaseTaken taken) {
                if (Instant.now().isAfter(deadline)) {
                    throw new LedgerConflictException("another deployment of policy " + policyId
                            + " is still in progress after " + wait.toSeconds() + " s; try again later");
                }
                Thread.sleep(pause);
                pause = Math.min(LONGEST_PAUSE_MILLIS, pause * 2);
            }
        }
    }

    /** Rolls back the transaction of {@link #underLease} when another holds the lease. */
    private static final class LeaseTaken extends RuntimeException {
        LeaseTaken() {
            super(null, null, false, false);
        }
    }

    /** Releases the lease inside the caller's transaction, if {@code holder} still holds it. */
    public void release(Connection connection, String policyId, String holder) throws SQLException {
        Sql.update(connection, "DELETE FROM policy_lease WHERE policy_id = ? AND holder = ?", policyId, holder);
    }

    /** @return whether {@code holder} now holds the lease */
    boolean tryAcquire(String policyId, String holder) throws SQLException {
        try (Connection connection = database.connection()) {
            return tryAcquire(connection, policyId, holder);
        }
    }

    /**
     * Takes the lease on the caller's connection (inside its transaction, or on its own). A failed
     * INSERT ends a PostgreSQL transaction: the caller rolls back when this answers {@code false}.
     */
    boolean tryAcquire(Connection connection, String policyId, String holder) throws SQLException {
        Instant now = Instant.now();
        Instant expires = now.plus(lease);
        if (Sql.update(connection, "UPDATE policy_lease SET holder = ?, instance = ?, expires_at = ? "
                + "WHERE policy_id = ? AND (expires_at < ? OR instance IN "
                + "(SELECT instance FROM instance_heartbeat WHERE alive_until < ?))",
                holder, instance, expires, policyId, now, now) == 1) {
            Log.warnf("policy %s: took over a lease that had expired (its holder overran %s, or its instance stopped"
                    + " sending heartbeats: it died)", policyId, lease);
            return true;
        }
        try {
            Sql.update(connection, "INSERT INTO policy_lease (policy_id, holder, instance, expires_at) VALUES (?, ?, ?, ?)",
                    policyId, holder, instance, expires);
            return true;
        } catch (SQLException e) {
            if (isUniqueViolation(e) || isContention(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Releases the lease if {@code holder} still holds it; never throws (a lease left behind expires). */
    public void release(String policyId, String holder) {
        try (Connection connection = database.connection()) {
            Sql.update(connection, "DELETE FROM policy_lease WHERE policy_id = ? AND holder = ?", policyId, holder);
        } catch (SQLException e) {
            Log.errorf("policy %s: lease of deployment %s not released (it expires after %s): %s", policyId, holder,
                    lease, e.getMessage());
        }
    }

    /**
     * Another transaction inserting the same lease at the same moment: H2's lock timeout (HYT00) or a
     * serialization failure or deadlock (SQLSTATE class 40); the lease is taken, try again.
     */
    public static boolean isContention(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("HYT") || state.startsWith("40"));
    }

    /** SQLSTATE class 23 (integrity constraint violation), 23505 on both databases. */
    public static boolean isUniqueViolation(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }
}
