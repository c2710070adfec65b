package gov.hms.pipeline.ledger;

import static gov.hms.pipeline.ledger.Sql.nullableInt;
import static gov.hms.pipeline.ledger.Sql.query;
import static gov.hms.pipeline.ledger.Sql.queryOne;
import static gov.hms.pipeline.ledger.Sql.time;
import static gov.hms.pipeline.ledger.Sql.update;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.api.NotificationOutcome;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.ledger.LedgerRecords.CurrentPolicy;
import gov.hms.pipeline.ledger.LedgerRecords.DeliveryRecord;
import gov.hms.pipeline.ledger.LedgerRecords.DeploymentRecord;
import gov.hms.pipeline.ledger.LedgerRecords.PolicyVersion;
import gov.hms.pipeline.ledger.LedgerRecords.StoredVersion;
import gov.hms.pipeline.packaging.PolicyPackage;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL of the deployment ledger's tables ({@code db/migration/V1__deployment_ledger.sql}):
 * policies, their versions and packages, deployments, deliveries and the live state per target.
 * Plain JDBC over the active datasource ({@link LedgerDatabase}). Methods that take a
 * {@link Connection} run inside the caller's transaction; the others open their own (auto-commit).
 */
@ApplicationScoped
public class DeploymentLedger {

    private static final int ERROR_LENGTH = 2000;
    private static final int TEXT_LENGTH = 1000;

    private final LedgerDatabase database;
    private final ObjectMapper mapper = new ObjectMapper();

    public DeploymentLedger(LedgerDatabase database) {
        this.database = database;
    }

    public Connection connection() throws SQLException {
        return database.connection();
    }

    /** Work on one connection inside one transaction. */
    @FunctionalInterface
    public interface TransactionWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, and durable before this
     * returns ({@link H2GroupCommit}); rolled back when it throws (the exception then goes on to the caller).
     */
    public <T> T inTransaction(TransactionWork<T> work) throws SQLException {
        try (Connection connection = connection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                H2GroupCommit.awaitDurable(connection);
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /** Work on one auto-commit connection. */
    private <T> T withConnection(TransactionWork<T> work) throws SQLException {
        try (Connection connection = connection()) {
            return work.run(connection);
        }
    }

    // ---- policies and versions -------------------------------------------------------------

    Optional<CurrentPolicy> currentPolicy(Connection connection, String policyId) throws SQLException {
        return queryOne(connection, "SELECT current_revision, current_key FROM policy WHERE policy_id = ?",
                row -> new CurrentPolicy(row.getInt(1), row.getString(2)), policyId);
    }

    void setCurrent(Connection connection, String policyId, int revision, String idempotencyKey) throws SQLException {
        Instant now = now();
        if (update(connection, "UPDATE policy SET current_revision = ?, current_key = ?, updated_at = ? WHERE policy_id = ?",
                revision, idempotencyKey, now, policyId) == 0) {
            update(connection, "INSERT INTO policy (policy_id, current_revision, current_key, updated_at) VALUES (?, ?, ?, ?)",
                    policyId, revision, idempotencyKey, now);
        }
    }

    /** Every stored revision of a policy (without its JSON), oldest first. */
    List<StoredVersion> storedVersions(Connection connection, String policyId) throws SQLException {
        return query(connection, "SELECT revision, version, policy_sha256 FROM policy_version WHERE policy_id = ? "
                + "ORDER BY revision", row -> new StoredVersion(row.getInt(1), row.getString(2), row.getString(3)), policyId);
    }

    /** Stores a new revision with the packages exactly as built. */
    void insertVersion(Connection connection, String policyId, int revision, String version, String policySha256,
            JsonNode policy, String deploymentId, String actor, String source, List<PolicyPackage> packages)
            throws SQLException {
        update(connection, "INSERT INTO policy_version (policy_id, revision, version, policy_sha256, policy_json, "
                + "deployment_id, deployed_at, actor, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                policyId, revision, version, policySha256, policy.toString(), deploymentId, now(), clip(actor, 256), source);
        for (PolicyPackage policyPackage : packages) {
            update(connection, "INSERT INTO policy_package (policy_id, revision, format, content_type, sha256, bytes) "
                    + "VALUES (?, ?, ?, ?, ?, ?)", policyId, revision, policyPackage.format(), policyPackage.contentType(),
                    policyPackage.sha256(), policyPackage.bytes());
        }
    }

    /** @return the policy's revisions newest first, each with the SHA-256 of its JSON package; empty if unknown */
    public List<PolicyVersion> versions(String policyId) throws SQLException {
        return withConnection(connection -> query(connection, "SELECT v.revision, v.version, v.policy_sha256, p.sha256, "
                + "v.deployment_id, v.deployed_at, v.actor, v.source FROM policy_version v LEFT JOIN policy_package p "
                + "ON p.policy_id = v.policy_id AND p.revision = v.revision AND p.format = ? "
                + "WHERE v.policy_id = ? ORDER BY v.revision DESC",
                row -> new PolicyVersion(row.getInt(1), row.getString(2), row.getString(3), row.getString(4),
                        row.getString(5), time(row, 6), row.getString(7), row.getString(8)),
                PolicyPackage.JSON, policyId));
    }

    /**
     * Finds a revision by a {@code version} label (exact text first), else by a revision number.
     *
     * @param versionOrRevision a version label such as {@code 1.0.0}, or a revision such as {@code 2}
     * @return the revision, empty if neither names one of the policy's revisions
     */
    public Optional<Integer> resolveRevision(String policyId, String versionOrRevision) throws SQLException {
        if (versionOrRevision == null || versionOrRevision.isBlank()) {
            return Optional.empty();
        }
        List<StoredVersion> versions = withConnection(connection -> storedVersions(connection, policyId));
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (versionOrRevision.equals(versions.get(i).version())) {
                return Optional.of(versions.get(i).revision());
            }
        }
        if (versionOrRevision.matches("[1-9][0-9]{0,8}")) {
            int revision = Integer.parseInt(versionOrRevision);
            return versions.stream().filter(v -> v.revision() == revision).findFirst().map(StoredVersion::revision);
        }
        return Optional.empty();
    }

    /** @return the policy JSON of a revision, as received (parsed); empty if there is no such revision */
    public Optional<JsonNode> policyJson(String policyId, int revision) throws SQLException {
        return withConnection(connection -> queryOne(connection,
                "SELECT policy_json FROM policy_version WHERE policy_id = ? AND revision = ?",
                row -> readTree(row.getString(1)), policyId, revision));
    }

    /** @return the packages of a revision, as first built, ordered by format */
    public List<PolicyPackage> packages(String policyId, int revision) throws SQLException {
        return withConnection(connection -> query(connection, "SELECT format, content_type, bytes, sha256 "
                + "FROM policy_package WHERE policy_id = ? AND revision = ? ORDER BY format",
                row -> new PolicyPackage(row.getString(1), row.getString(2), row.getBytes(3), row.getString(4)),
                policyId, revision));
    }

    /** @return the package formats ({@code json}, {@code zip}) kept for each revision of a policy, without their bytes */
    public Map<Integer, List<String>> packageFormats(String policyId) throws SQLException {
        return withConnection(connection -> {
            Map<Integer, List<String>> formats = new LinkedHashMap<>();
            for (Object[] row : query(connection, "SELECT revision, format FROM policy_package WHERE policy_id = ? "
                    + "ORDER BY revision, format", r -> new Object[] {r.getInt(1), r.getString(2)}, policyId)) {
                formats.computeIfAbsent((Integer) row[0], revision -> new ArrayList<>()).add((String) row[1]);
            }
            return formats;
        });
    }

    /** @return policy ids after {@code after} (exclusive; {@code null} from the start), in order, at most {@code limit} */
    public List<String> policyIds(String after, int limit) throws SQLException {
        return withConnection(connection -> query(connection,
                // policy_version, not policy: a policy whose first version is only scheduled has no policy row yet.
                "SELECT DISTINCT policy_id FROM policy_version WHERE policy_id > ? ORDER BY policy_id FETCH FIRST " + limit
                        + " ROWS ONLY",
                row -> row.getString(1), after == null ? "" : after));
    }

    /** @return the current revision of a policy, empty if unknown */
    public Optional<Integer> currentRevision(String policyId) throws SQLException {
        return withConnection(connection -> currentPolicy(connection, policyId).map(CurrentPolicy::revision));
    }

    /** A revision's summary: version label, policy and JSON package SHA-256. */
    public record RevisionRow(int revision, String version, String policySha256, String packageSha256) {
    }

    /** @return the summary of a revision, empty if there is no such revision */
    public Optional<RevisionRow> revision(String policyId, int revision) throws SQLException {
        return withConnection(connection -> queryOne(connection, "SELECT v.version, v.policy_sha256, p.sha256 "
                + "FROM policy_version v LEFT JOIN policy_package p ON p.policy_id = v.policy_id "
                + "AND p.revision = v.revision AND p.format = ? WHERE v.policy_id = ? AND v.revision = ?",
                row -> new RevisionRow(revision, row.getString(1), row.getString(2), row.getString(3)),
                PolicyPackage.JSON, policyId, revision));
    }

    // ---- live state --------------------------------------------------------------------------

    /** The revision each target last accepted, by target name. */
    Map<String, Integer> liveRevisions(Connection connection, String policyId) throws SQLException {
        Map<String, Integer> live = new LinkedHashMap<>();
        for (var entry : query(connection, "SELECT target, revision FROM live_target WHERE policy_id = ? ORDER BY target",
                row -> Map.entry(row.getString(1), row.getInt(2)), policyId)) {
            live.put(entry.getKey(), entry.getValue());
        }
        return live;
    }

    /** A target's live state: revision, its version label, package SHA-256, when. */
    public record LiveRow(String target, int revision, String version, String packageSha256, String deliveredAt) {
    }

    /** @return what each target of the policy last accepted, by target name */
    public Map<String, LiveRow> liveTargets(String policyId) throws SQLException {
        Map<String, LiveRow> live = new LinkedHashMap<>();
        for (LiveRow row : withConnection(connection -> query(connection, "SELECT t.target, t.revision, v.version, "
                + "t.package_sha256, t.delivered_at FROM live_target t JOIN policy_version v "
                + "ON v.policy_id = t.policy_id AND v.revision = t.revision WHERE t.policy_id = ? ORDER BY t.target",
                row -> new LiveRow(row.getString(1), row.getInt(2), row.getString(3), row.getString(4), time(row, 5)),
                policyId))) {
            live.put(row.target(), row);
        }
        return live;
    }

    // ---- deployments and deliveries ------------------------------------------------------------

    /** Records a deployment with its first status. */
    void insertDeployment(Connection connection, String deploymentId, String policyId, Integer revision,
            String version, String status, String source, String actor, String origin, String reason,
            String idempotencyKey, String policySha256, String error) throws SQLException {
        update(connection, "INSERT INTO deployment (deployment_id, policy_id, revision, version, status, source, actor, "
                + "origin, reason, idempotency_key, policy_sha256, error, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                deploymentId, policyId, revision, version, status, source, clip(actor, 256), clip(origin, TEXT_LENGTH),
                clip(reason, TEXT_LENGTH), idempotencyKey, policySha256, clip(error, ERROR_LENGTH), now());
    }

    /** @return whether the deployment is in the ledger */
    boolean hasDeployment(Connection connection, String deploymentId) throws SQLException {
        return queryOne(connection, "SELECT 1 FROM deployment WHERE deployment_id = ?", row -> true, deploymentId)
                .isPresent();
    }

    /**
     * Marks that a deployment's notification round began: its subscribers' outcomes, all
     * {@code pending}, in the transaction that commits their outbox entries. A deployment that reached
     * a target without this mark was cut off before its round ({@link #notificationRoundOwed}).
     */
    public void openNotificationRound(Connection connection, String deploymentId, List<NotificationOutcome> pending)
            throws SQLException {
        update(connection, "UPDATE deployment SET notifications = ? WHERE deployment_id = ? AND notifications IS NULL",
                writeJson(pending), deploymentId);
    }

    /**
     * A subscriber's outcome that came after its deployment's answer (a retry from the outbox, or a
     * first attempt that outlasted {@code pipeline.notification.timeout}): replaces that subscriber's
     * entry in the deployment's {@code notifications}, under a row lock so two subscribers' outcomes
     * do not overwrite each other.
     */
    public void recordLaterNotification(String deploymentId, NotificationOutcome outcome) throws SQLException {
        inTransaction(connection -> {
            Optional<Optional<String>> row = queryOne(connection,
                    "SELECT notifications FROM deployment WHERE deployment_id = ? FOR UPDATE",
                    result -> Optional.ofNullable(result.getString(1)), deploymentId);
            if (row.isEmpty()) {
                return null; // a 0.5.0 outbox entry: its deployment is not in the ledger
            }
            List<NotificationOutcome> outcomes = new ArrayList<>(row.get().map(this::readNotifications).orElse(List.of()));
            int at = java.util.stream.IntStream.range(0, outcomes.size())
                    .filter(i -> outcomes.get(i).subscriber().equals(outcome.subscriber())).findFirst().orElse(-1);
            if (at >= 0) {
                outcomes.set(at, outcome);
            } else {
                outcomes.add(outcome);
            }
            update(connection, "UPDATE deployment SET notifications = ? WHERE deployment_id = ?", writeJson(outcomes),
                    deploymentId);
            return null;
        });
    }

    /**
     * Whether an intent to make a revision live still owes its subscribers their notification: the
     * latest of its deployments that reached a target or notified neither completed nor began a
     * notification round (a crash cut it off between the two, docs/ledger.md).
     *
     * @param idempotencyKey the intent's key
     */
    boolean notificationRoundOwed(Connection connection, String policyId, int revision, String idempotencyKey)
            throws SQLException {
        return queryOne(connection, "SELECT d.status, d.notifications FROM deployment d WHERE d.policy_id = ? "
                + "AND d.revision = ? AND d.idempotency_key = ? AND ((d.notifications IS NOT NULL AND d.status <> '"
                + LedgerSteps.UNCHANGED + "') OR EXISTS (SELECT 1 FROM delivery x "
                + "WHERE x.deployment_id = d.deployment_id AND x.status = 'delivered')) "
                + "ORDER BY d.started_at DESC, d.deployment_id DESC FETCH FIRST 1 ROWS ONLY",
                row -> !LedgerSteps.COMPLETED.equals(row.getString(1)) && row.getString(2) == null,
                policyId, revision, idempotencyKey).orElse(false);
    }

    /** Ends a deployment: its final status, error, JSON package SHA-256 and the subscribers' outcomes (kept when {@code null}). */
    void endDeployment(Connection connection, String deploymentId, String status, String error, String packageSha256,
            Object notifications) throws SQLException {
        update(connection, "UPDATE deployment SET status = ?, error = ?, package_sha256 = COALESCE(?, package_sha256), "
                + "notifications = COALESCE(?, notifications), ended_at = ? WHERE deployment_id = ?", status, clip(error, ERROR_LENGTH),
                packageSha256, notifications == null ? null : writeJson(notifications), now(), deploymentId);
    }

    /**
     * Records what a target made of a deployment and, if it accepted the package, that the target
     * now has that revision. One transaction.
     */
    public void recordDelivery(String deploymentId, String policyId, Integer revision, String target, boolean delivered,
            Integer httpStatus, int attempts, String packageSha256, String error) throws SQLException {
        inTransaction(connection -> {
            Instant now = now();
            update(connection, "DELETE FROM delivery WHERE deployment_id = ? AND target = ?", deploymentId, target);
            update(connection, "INSERT INTO delivery (deployment_id, target, status, http_status, attempts, "
                    + "package_sha256, error, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", deploymentId, target,
                    delivered ? "delivered" : "failed", httpStatus, attempts, packageSha256, clip(error, ERROR_LENGTH), now);
            if (delivered && revision != null && packageSha256 != null
                    && update(connection, "UPDATE live_target SET revision = ?, package_sha256 = ?, deployment_id = ?, "
                            + "delivered_at = ? WHERE policy_id = ? AND target = ?",
                            revision, packageSha256, deploymentId, now, policyId, target) == 0) {
                update(connection, "INSERT INTO live_target (policy_id, target, revision, package_sha256, deployment_id, "
                        + "delivered_at) VALUES (?, ?, ?, ?, ?, ?)", policyId, target, revision, packageSha256, deploymentId, now);
            }
            return null;
        });
    }

    /** @return the deployment with its deliveries, empty if unknown */
    public Optional<DeploymentRecord> deployment(String deploymentId) throws SQLException {
        return withConnection(connection -> {
            Optional<DeploymentRecord> found = queryOne(connection, DEPLOYMENT_COLUMNS + " WHERE deployment_id = ?",
                    this::deploymentOf, deploymentId);
            return found.isEmpty() ? found : Optional.of(withTargets(found.get(), deliveries(connection, deploymentId)));
        });
    }

    /** Filters of {@link #deployments}; any may be {@code null}. */
    public record DeploymentFilter(String policyId, String status, String source, Instant since) {

        /** Appends {@code AND …} for each condition set, and its parameters; {@code since} compares {@code timeColumn}. */
        void appendTo(StringBuilder sql, List<Object> parameters, String timeColumn) {
            String[] columns = {"policy_id", "status", "source", timeColumn};
            Object[] values = {policyId, status, source, since};
            for (int i = 0; i < columns.length; i++) {
                if (values[i] != null) {
                    sql.append(" AND ").append(columns[i]).append(i == 3 ? " >= ?" : " = ?");
                    parameters.add(values[i]);
                }
            }
        }
    }

    /**
     * Deployments newest first, after the cursor (exclusive): a cursor is the {@code startedAt} and
     * id of the last item of the previous page.
     */
    public List<DeploymentRecord> deployments(DeploymentFilter filter, Instant beforeStart, String beforeId, int limit)
            throws SQLException {
        StringBuilder sql = new StringBuilder(DEPLOYMENT_COLUMNS).append(" WHERE 1 = 1");
        List<Object> parameters = new ArrayList<>();
        filter.appendTo(sql, parameters, "started_at");
        if (beforeStart != null) {
            sql.append(" AND (started_at < ? OR (started_at = ? AND deployment_id < ?))");
            parameters.add(beforeStart);
            parameters.add(beforeStart);
            parameters.add(beforeId);
        }
        sql.append(" ORDER BY started_at DESC, deployment_id DESC FETCH FIRST ").append(limit).append(" ROWS ONLY");
        return withConnection(connection -> {
            List<DeploymentRecord> records = new ArrayList<>();
            for (DeploymentRecord record : query(connection, sql.toString(), this::deploymentOf, parameters.toArray())) {
                records.add(withTargets(record, deliveries(connection, record.deploymentId())));
            }
            return records;
        });
    }

    /** The precise start of a deployment (for cursors), empty if unknown. */
    public Optional<Instant> startOf(String deploymentId) throws SQLException {
        return withConnection(connection -> queryOne(connection, "SELECT started_at FROM deployment WHERE deployment_id = ?",
                row -> row.getTimestamp(1).toInstant(), deploymentId));
    }

    private static final String DEPLOYMENT_COLUMNS = "SELECT deployment_id, policy_id, revision, version, status, source, "
            + "actor, origin, reason, idempotency_key, policy_sha256, package_sha256, error, started_at, ended_at, "
            + "notifications FROM deployment";

    private DeploymentRecord deploymentOf(ResultSet row) throws SQLException {
        String notifications = row.getString(16);
        return new DeploymentRecord(row.getString(1), row.getString(2), nullableInt(row, 3), row.getString(4),
                row.getString(5), row.getString(6), row.getString(7), row.getString(8), row.getString(9),
                row.getString(10), row.getString(11), row.getString(12), row.getString(13), time(row, 14),
                time(row, 15), null, notifications == null ? null : readNotifications(notifications));
    }

    private static DeploymentRecord withTargets(DeploymentRecord r, List<DeliveryRecord> targets) {
        return new DeploymentRecord(r.deploymentId(), r.policyId(), r.revision(), r.version(), r.status(), r.source(),
                r.actor(), r.origin(), r.reason(), r.idempotencyKey(), r.policySha256(), r.packageSha256(), r.error(),
                r.startedAt(), r.endedAt(), targets, r.notifications());
    }

    private static List<DeliveryRecord> deliveries(Connection connection, String deploymentId) throws SQLException {
        return query(connection, "SELECT target, status, http_status, attempts, package_sha256, error, ended_at "
                + "FROM delivery WHERE deployment_id = ? ORDER BY target",
                row -> new DeliveryRecord(row.getString(1), row.getString(2), nullableInt(row, 3), row.getInt(4),
                        row.getString(5), row.getString(6), time(row, 7)), deploymentId);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private JsonNode readTree(String json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<NotificationOutcome> readNotifications(String json) {
        try {
            return mapper.readValue(json, new TypeReference<List<NotificationOutcome>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String writeJson(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Now, to the microsecond (PostgreSQL's precision), so cursors compare equal after a round trip. */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    static String clip(String text, int length) {
        return text == null || text.length() <= length ? text : text.substring(0, length - 1) + "…";
    }
}
