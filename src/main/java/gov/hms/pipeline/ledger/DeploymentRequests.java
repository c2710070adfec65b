package gov.hms.pipeline.ledger;

import static gov.hms.pipeline.ledger.Sql.nullableInt;
import static gov.hms.pipeline.ledger.Sql.query;
import static gov.hms.pipeline.ledger.Sql.queryOne;
import static gov.hms.pipeline.ledger.Sql.time;
import static gov.hms.pipeline.ledger.Sql.update;

import gov.hms.pipeline.api.Deployment;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of {@code deployment_request} ({@code db/migration/V4__scheduled_and_asynchronous_deployments.sql}):
 * what the ledger knows of a deployment before, or instead of, its admission. Statuses:
 * {@value #RECEIVED} (an asynchronous request not yet admitted), {@value #ANSWERED} (it ended; the
 * answer a synchronous caller would have got is kept), {@value #SCHEDULED}, {@value #ACTIVATING}
 * (claimed by one instance until {@code claimed_until}), {@value #ACTIVATED}, {@value #CANCELLED},
 * {@value #SUPERSEDED}. Methods that take a {@link Connection} run in the caller's transaction.
 */
@ApplicationScoped
public class DeploymentRequests {

    public static final String RECEIVED = "received";
    public static final String ANSWERED = "answered";
    public static final String SCHEDULED = "scheduled";
    public static final String ACTIVATING = "activating";
    public static final String ACTIVATED = "activated";
    public static final String CANCELLED = "cancelled";
    public static final String SUPERSEDED = "superseded";

    /** Kinds: a scheduled activation, or the withdrawal due at a live revision's {@code expiresAt}. */
    public static final String ACTIVATION = "activation";
    public static final String WITHDRAWAL = "withdrawal";

    private static final int TEXT_LENGTH = 1000;

    private final DeploymentLedger ledger;

    public DeploymentRequests(DeploymentLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * One row.
     *
     * @param activateAt  when it is to go live, for a scheduled activation
     * @param activatedAt when an instance began it
     * @param lateMillis  how long after {@code activateAt} it began
     * @param intentKey   the {@code Idempotency-Key} its activation delivers with
     * @param note        who cancelled it and why, or what superseded it
     * @param result      the JSON answer of an asynchronous request, once it ended
     */
    public record RequestRow(String deploymentId, String policyId, Integer revision, String version, String status,
            String source, String actor, String origin, String activateAt, String activatedAt, Long lateMillis,
            String intentKey, String note, String result, String createdAt, String kind) {
    }

    private static final String COLUMNS = "SELECT deployment_id, policy_id, revision, version, status, source, actor, "
            + "origin, activate_at, activated_at, late_millis, idempotency_key, note, result, created_at, kind FROM deployment_request";

    private static RequestRow rowOf(ResultSet row) throws SQLException {
        long late = row.getLong(11);
        return new RequestRow(row.getString(1), row.getString(2), nullableInt(row, 3), row.getString(4),
                row.getString(5), row.getString(6), row.getString(7), row.getString(8), time(row, 9), time(row, 10),
                row.wasNull() ? null : late, row.getString(12), row.getString(13), row.getString(14), time(row, 15),
                row.getString(16));
    }

    /** An asynchronous request, before it is validated. */
    public void received(Deployment deployment) throws SQLException {
        Instant now = DeploymentLedger.now();
        try (Connection connection = ledger.connection()) {
            update(connection, "INSERT INTO deployment_request (deployment_id, status, source, actor, origin, created_at, "
                    + "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", deployment.id(), RECEIVED, deployment.source().label(),
                    DeploymentLedger.clip(deployment.actor(), 256), DeploymentLedger.clip(deployment.origin(), TEXT_LENGTH),
                    now, now);
        }
    }

    /** An asynchronous request ended: its answer, as JSON. */
    public void answered(String deploymentId, String policyId, String resultJson) throws SQLException {
        try (Connection connection = ledger.connection()) {
            // A request that scheduled itself stays scheduled: its activation is still to come.
            update(connection, "UPDATE deployment_request SET status = CASE WHEN status = ? THEN ? ELSE status END, "
                    + "policy_id = COALESCE(?, policy_id), result = ?, updated_at = ? WHERE deployment_id = ?", RECEIVED,
                    ANSWERED, policyId, resultJson, DeploymentLedger.now(), deploymentId);
        }
    }

    /** A scheduled activation, in the transaction that stored its revision. */
    void schedule(Connection connection, Deployment deployment, int revision, String intentKey) throws SQLException {
        Instant now = DeploymentLedger.now();
        if (update(connection, "UPDATE deployment_request SET policy_id = ?, revision = ?, version = ?, status = ?, "
                + "activate_at = ?, idempotency_key = ?, updated_at = ? WHERE deployment_id = ?", deployment.policyId(),
                revision, deployment.version(), SCHEDULED, deployment.activateAt(), intentKey, now, deployment.id()) == 0) {
            update(connection, "INSERT INTO deployment_request (deployment_id, policy_id, revision, version, status, source, "
                    + "actor, origin, activate_at, idempotency_key, created_at, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", deployment.id(), deployment.policyId(), revision,
                    deployment.version(), SCHEDULED, deployment.source().label(),
                    DeploymentLedger.clip(deployment.actor(), 256), DeploymentLedger.clip(deployment.origin(), TEXT_LENGTH),
                    deployment.activateAt(), intentKey, now, now);
        }
    }

    /**
     * The withdrawal of a live revision at its policy's {@code expiresAt}, as its own deployment id,
     * in the caller's transaction.
     */
    void scheduleExpiry(Connection connection, String deploymentId, String policyId, int revision, String version,
            Instant expiresAt) throws SQLException {
        Instant now = DeploymentLedger.now();
        update(connection, "INSERT INTO deployment_request (deployment_id, policy_id, revision, version, status, kind, source, "
                + "actor, origin, activate_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                deploymentId, policyId, revision, version, SCHEDULED, WITHDRAWAL, WITHDRAWAL, "system",
                "expiresAt of revision " + revision, expiresAt, now, now);
    }

    /**
     * Marks activations of the policy still scheduled for a revision up to {@code revision} superseded,
     * except {@code by} itself, and, unless {@code activationsOnly} (a newer activation is scheduled: the
     * live revision stays live until then), every withdrawal scheduled at an {@code expiresAt} (another
     * revision was admitted).
     *
     * @return the deployment ids superseded
     */
    List<String> supersede(Connection connection, String policyId, int revision, String by, boolean activationsOnly,
            String note) throws SQLException {
        // A withdrawal at expiresAt belongs to the revision that was live: any admission ends it.
        List<String> ids = query(connection, "SELECT deployment_id FROM deployment_request WHERE policy_id = ? "
                + "AND status = ? AND deployment_id <> ? AND ((kind = ? AND revision <= ?) OR (kind = ? AND 1 = ?))",
                row -> row.getString(1), policyId, SCHEDULED, by, ACTIVATION, revision, WITHDRAWAL, activationsOnly ? 0 : 1);
        for (String id : ids) {
            update(connection, "UPDATE deployment_request SET status = ?, note = ?, updated_at = ? "
                    + "WHERE deployment_id = ? AND status = ?", SUPERSEDED, DeploymentLedger.clip(note, TEXT_LENGTH),
                    DeploymentLedger.now(), id, SCHEDULED);
        }
        return ids;
    }

    /** @return ids of activations due at {@code now}, and of claims whose holder let them expire; oldest first */
    public List<String> due(Instant now, int limit) throws SQLException {
        try (Connection connection = ledger.connection()) {
            return query(connection, "SELECT deployment_id FROM deployment_request WHERE (status = ? AND activate_at <= ?) "
                    + "OR (status = ? AND claimed_until < ?) ORDER BY activate_at FETCH FIRST " + limit + " ROWS ONLY",
                    row -> row.getString(1), SCHEDULED, now, ACTIVATING, now);
        }
    }

    /** An activation not yet due: its id and instant. */
    public record Upcoming(String deploymentId, Instant activateAt) {
    }

    /** @return activations due after {@code now} and up to {@code until}, soonest first */
    public List<Upcoming> upcoming(Instant now, Instant until, int limit) throws SQLException {
        try (Connection connection = ledger.connection()) {
            return query(connection, "SELECT deployment_id, activate_at FROM deployment_request WHERE status = ? "
                    + "AND activate_at > ? AND activate_at <= ? ORDER BY activate_at FETCH FIRST " + limit + " ROWS ONLY",
                    row -> new Upcoming(row.getString(1), row.getTimestamp(2).toInstant()), SCHEDULED, now, until);
        }
    }

    /**
     * Claims a due activation for this instance: a conditional UPDATE, so of several instances
     * exactly one changes the row (H2 and PostgreSQL lock the row for the statement).
     *
     * @return the row if this instance holds it now, else empty
     */
    public Optional<RequestRow> claim(String deploymentId, String instance, Instant now, Instant until)
            throws SQLException {
        try (Connection connection = ledger.connection()) {
            int claimed = update(connection, "UPDATE deployment_request SET status = ?, claimed_by = ?, claimed_until = ?, "
                    + "activated_at = COALESCE(activated_at, ?), updated_at = ? WHERE deployment_id = ? "
                    + "AND ((status = ? AND activate_at <= ?) OR (status = ? AND claimed_until < ?))", ACTIVATING,
                    instance, until, now, now, deploymentId, SCHEDULED, now, ACTIVATING, now);
            if (claimed == 0) {
                return Optional.empty();
            }
            // How late it began: from the first claim (a take-over keeps it).
            update(connection, "UPDATE deployment_request SET late_millis = ? WHERE deployment_id = ? AND late_millis IS NULL",
                    lateMillis(connection, deploymentId), deploymentId);
            return queryOne(connection, COLUMNS + " WHERE deployment_id = ?", DeploymentRequests::rowOf, deploymentId);
        }
    }

    private static long lateMillis(Connection connection, String deploymentId) throws SQLException {
        return queryOne(connection, "SELECT activate_at, activated_at FROM deployment_request WHERE deployment_id = ?",
                row -> Math.max(0, row.getTimestamp(2).getTime() - row.getTimestamp(1).getTime()), deploymentId)
                .orElse(0L);
    }

    /** The claimed activation has been admitted (or has ended): no other instance takes it over. */
    public void activated(String deploymentId, String note) throws SQLException {
        try (Connection connection = ledger.connection()) {
            update(connection, "UPDATE deployment_request SET status = ?, claimed_until = NULL, "
                    + "note = COALESCE(?, note), updated_at = ? WHERE deployment_id = ? AND status = ?", ACTIVATED,
                    DeploymentLedger.clip(note, TEXT_LENGTH), DeploymentLedger.now(), deploymentId, ACTIVATING);
        }
    }

    /** Ends a claimed activation without running it: superseded by a newer revision after all. */
    void supersedeClaimed(String deploymentId, String note) throws SQLException {
        try (Connection connection = ledger.connection()) {
            update(connection, "UPDATE deployment_request SET status = ?, claimed_until = NULL, note = ?, updated_at = ? "
                    + "WHERE deployment_id = ? AND status = ?", SUPERSEDED, DeploymentLedger.clip(note, TEXT_LENGTH),
                    DeploymentLedger.now(), deploymentId, ACTIVATING);
        }
    }

    /**
     * Cancels an activation that is still scheduled (not yet claimed).
     *
     * @return whether it was still scheduled
     */
    public boolean cancel(String deploymentId, String note) throws SQLException {
        try (Connection connection = ledger.connection()) {
            return update(connection, "UPDATE deployment_request SET status = ?, note = ?, updated_at = ? "
                    + "WHERE deployment_id = ? AND status = ?", CANCELLED, DeploymentLedger.clip(note, TEXT_LENGTH),
                    DeploymentLedger.now(), deploymentId, SCHEDULED) == 1;
        }
    }

    /** @return the row, empty if the deployment was never asynchronous or scheduled */
    public Optional<RequestRow> find(String deploymentId) throws SQLException {
        try (Connection connection = ledger.connection()) {
            return queryOne(connection, COLUMNS + " WHERE deployment_id = ?", DeploymentRequests::rowOf, deploymentId);
        }
    }

    /** The statuses only this table holds: a deployment in one of them has no ledger row (yet, or ever). */
    public static final java.util.Set<String> LISTED_STATUSES = java.util.Set.of(RECEIVED, SCHEDULED, ACTIVATING,
            CANCELLED, SUPERSEDED);

    /**
     * Requests in one of {@link #LISTED_STATUSES}, newest first ({@code created_at}, then id), after the
     * request named by {@code cursor} (exclusive).
     *
     * @param filter its {@code status} is one of {@link #LISTED_STATUSES}; {@code since} compares {@code created_at}
     * @return at most {@code limit} rows; empty if {@code cursor} names no request
     */
    public List<RequestRow> page(DeploymentLedger.DeploymentFilter filter, String cursor, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder(COLUMNS).append(" WHERE 1 = 1");
        List<Object> parameters = new java.util.ArrayList<>();
        filter.appendTo(sql, parameters, "created_at");
        try (Connection connection = ledger.connection()) {
            if (cursor != null) {
                Optional<Instant> created = queryOne(connection, "SELECT created_at FROM deployment_request WHERE deployment_id = ?",
                        row -> row.getTimestamp(1).toInstant(), cursor);
                if (created.isEmpty()) {
                    return List.of();
                }
                sql.append(" AND (created_at < ? OR (created_at = ? AND deployment_id < ?))");
                parameters.addAll(List.of(created.get(), created.get(), cursor));
            }
            sql.append(" ORDER BY created_at DESC, deployment_id DESC FETCH FIRST ").append(limit).append(" ROWS ONLY");
            return query(connection, sql.toString(), DeploymentRequests::rowOf, parameters.toArray());
        }
    }

    /** @return the policy's activations still scheduled, soonest first */
    public List<RequestRow> scheduledOf(String policyId) throws SQLException {
        try (Connection connection = ledger.connection()) {
            return query(connection, COLUMNS + " WHERE policy_id = ? AND status IN (?, ?) ORDER BY activate_at",
                    DeploymentRequests::rowOf, policyId, SCHEDULED, ACTIVATING);
        }
    }
}
