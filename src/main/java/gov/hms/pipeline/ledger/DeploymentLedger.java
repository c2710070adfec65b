package gov.hms.pipeline.ledger;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
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
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws
     * (the exception then goes on to the caller).
     */
    public <T> T inTransaction(TransactionWork<T> work) throws SQLException {
        try (Connection connection = connection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    // ---- policies and versions -------------------------------------------------------------

    Optional<CurrentPolicy> currentPolicy(Connection connection, String policyId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT current_revision, current_key FROM policy WHERE policy_id = ?")) {
            select.setString(1, policyId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new CurrentPolicy(row.getInt(1), row.getString(2))) : Optional.empty();
            }
        }
    }

    void setCurrent(Connection connection, String policyId, int revision, String idempotencyKey) throws SQLException {
        Timestamp now = now();
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE policy SET current_revision = ?, current_key = ?, updated_at = ? WHERE policy_id = ?")) {
            update.setInt(1, revision);
            update.setString(2, idempotencyKey);
            update.setTimestamp(3, now);
            update.setString(4, policyId);
            if (update.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO policy (policy_id, current_revision, current_key, updated_at) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, policyId);
            insert.setInt(2, revision);
            insert.setString(3, idempotencyKey);
            insert.setTimestamp(4, now);
            insert.executeUpdate();
        }
    }

    /** Every stored revision of a policy (without its JSON), oldest first. */
    List<StoredVersion> storedVersions(Connection connection, String policyId) throws SQLException {
        List<StoredVersion> versions = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT revision, version, policy_sha256 FROM policy_version WHERE policy_id = ? ORDER BY revision")) {
            select.setString(1, policyId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    versions.add(new StoredVersion(row.getInt(1), row.getString(2), row.getString(3)));
                }
            }
        }
        return versions;
    }

    /** Stores a new revision with the packages exactly as built. */
    void insertVersion(Connection connection, String policyId, int revision, String version, String policySha256,
            JsonNode policy, String deploymentId, String actor, String source, List<PolicyPackage> packages)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO policy_version (policy_id, revision, "
                + "version, policy_sha256, policy_json, deployment_id, deployed_at, actor, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, policyId);
            insert.setInt(2, revision);
            insert.setString(3, version);
            insert.setString(4, policySha256);
            insert.setString(5, policy.toString());
            insert.setString(6, deploymentId);
            insert.setTimestamp(7, now());
            insert.setString(8, clip(actor, 256));
            insert.setString(9, source);
            insert.executeUpdate();
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO policy_package (policy_id, revision, "
                + "format, content_type, sha256, bytes) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (PolicyPackage policyPackage : packages) {
                insert.setString(1, policyId);
                insert.setInt(2, revision);
                insert.setString(3, policyPackage.format());
                insert.setString(4, policyPackage.contentType());
                insert.setString(5, policyPackage.sha256());
                insert.setBytes(6, policyPackage.bytes());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** @return the policy's revisions newest first, each with the SHA-256 of its JSON package; empty if unknown */
    public List<PolicyVersion> versions(String policyId) throws SQLException {
        List<PolicyVersion> versions = new ArrayList<>();
        try (Connection connection = connection();
                PreparedStatement select = connection.prepareStatement("SELECT v.revision, v.version, v.policy_sha256, "
                        + "p.sha256, v.deployment_id, v.deployed_at, v.actor, v.source FROM policy_version v "
                        + "LEFT JOIN policy_package p ON p.policy_id = v.policy_id AND p.revision = v.revision AND p.format = ? "
                        + "WHERE v.policy_id = ? ORDER BY v.revision DESC")) {
            select.setString(1, PolicyPackage.JSON);
            select.setString(2, policyId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    versions.add(new PolicyVersion(row.getInt(1), row.getString(2), row.getString(3), row.getString(4),
                            row.getString(5), time(row.getTimestamp(6)), row.getString(7), row.getString(8)));
                }
            }
        }
        return versions;
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
        try (Connection connection = connection()) {
            List<StoredVersion> versions = storedVersions(connection, policyId);
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
    }

    /** @return the policy JSON of a revision, as received (parsed); empty if there is no such revision */
    public Optional<JsonNode> policyJson(String policyId, int revision) throws SQLException {
        try (Connection connection = connection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT policy_json FROM policy_version WHERE policy_id = ? AND revision = ?")) {
            select.setString(1, policyId);
            select.setInt(2, revision);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(readTree(row.getString(1))) : Optional.empty();
            }
        }
    }

    /** @return the packages of a revision, as first built, ordered by format */
    public List<PolicyPackage> packages(String policyId, int revision) throws SQLException {
        List<PolicyPackage> packages = new ArrayList<>();
        try (Connection connection = connection();
                PreparedStatement select = connection.prepareStatement("SELECT format, content_type, bytes, sha256 "
                        + "FROM policy_package WHERE policy_id = ? AND revision = ? ORDER BY format")) {
            select.setString(1, policyId);
            select.setInt(2, revision);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    packages.add(new PolicyPackage(row.getString(1), row.getString(2), row.getBytes(3), row.getString(4)));
                }
            }
        }
        return packages;
    }

    /** @return policy ids after {@code after} (exclusive; {@code null} from the start), in order, at most {@code limit} */
    public List<String> policyIds(String after, int limit) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection connection = connection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT policy_id FROM policy WHERE policy_id > ? ORDER BY policy_id")) {
            select.setString(1, after == null ? "" : after);
            select.setMaxRows(limit);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    ids.add(row.getString(1));
                }
            }
        }
        return ids;
    }

    /** @return the current revision of a policy, empty if unknown */
    public Optional<Integer> currentRevision(String policyId) throws SQLException {
        try (Connection connection = connection()) {
            return currentPolicy(connection, policyId).map(CurrentPolicy::revision);
        }
    }

    // ---- live state --------------------------------------------------------------------------

    /** The revision each target last accepted, by target name. */
    Map<String, Integer> liveRevisions(Connection connection, String policyId) throws SQLException {
        Map<String, Integer> live = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT target, revision FROM live_target WHERE policy_id = ? ORDER BY target")) {
            select.setString(1, policyId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    live.put(row.getString(1), row.getInt(2));
                }
            }
        }
        return live;
    }

    /** A target's live state: revision, its version label, package SHA-256, when. */
    public record LiveRow(String target, int revision, String version, String packageSha256, String deliveredAt) {
    }

    /** @return what each target of the policy last accepted, by target name */
    public Map<String, LiveRow> liveTargets(String policyId) throws SQLException {
        Map<String, LiveRow> live = new LinkedHashMap<>();
        try (Connection connection = connection();
                PreparedStatement select = connection.prepareStatement("SELECT t.target, t.revision, v.version, "
                        + "t.package_sha256, t.delivered_at FROM live_target t JOIN policy_version v "
                        + "ON v.policy_id = t.policy_id AND v.revision = t.revision WHERE t.policy_id = ? ORDER BY t.target")) {
            select.setString(1, policyId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    live.put(row.getString(1), new LiveRow(row.getString(1), row.getInt(2), row.getString(3),
                            row.getString(4), time(row.getTimestamp(5))));
                }
            }
        }
        return live;
    }

    /** A revision's summary: version label, policy and JSON package SHA-256. */
    public record RevisionRow(int revision, String version, String policySha256, String packageSha256) {
    }

    /** @return the summary of a revision, empty if there is no such revision */
    public Optional<RevisionRow> revision(String policyId, int revision) throws SQLException {
        try (Connection connection = connection();
                PreparedStatement select = connection.prepareStatement("SELECT v.version, v.policy_sha256, p.sha256 "
                        + "FROM policy_version v LEFT JOIN policy_package p ON p.policy_id = v.policy_id "
                        + "AND p.revision = v.revision AND p.format = ? WHERE v.policy_id = ? AND v.revision = ?")) {
            select.setString(1, PolicyPackage.JSON);
            select.setString(2, policyId);
            select.setInt(3, revision);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new RevisionRow(revision, row.getString(1), row.getString(2),
                        row.getString(3))) : Optional.empty();
            }
        }
    }

    // ---- deployments and deliveries ------------------------------------------------------------

    /** Records a deployment the ledger admitted (status {@code delivering}). */
    void insertDeployment(Connection connection, String deploymentId, String policyId, Integer revision,
            String version, String status, String source, String actor, String origin, String reason,
            String idempotencyKey, String policySha256, String error) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO deployment (deployment_id, policy_id, "
                + "revision, version, status, source, actor, origin, reason, idempotency_key, policy_sha256, error, started_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, deploymentId);
            insert.setString(2, policyId);
            if (revision == null) {
                insert.setNull(3, Types.INTEGER);
            } else {
                insert.setInt(3, revision);
            }
            insert.setString(4, version);
            insert.setString(5, status);
            insert.setString(6, source);
            insert.setString(7, clip(actor, 256));
            insert.setString(8, clip(origin, TEXT_LENGTH));
            insert.setString(9, clip(reason, TEXT_LENGTH));
            insert.setString(10, idempotencyKey);
            insert.setString(11, policySha256);
            insert.setString(12, clip(error, ERROR_LENGTH));
            insert.setTimestamp(13, now());
            insert.executeUpdate();
        }
    }

    /** @return whether the deployment is in the ledger */
    boolean hasDeployment(Connection connection, String deploymentId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM deployment WHERE deployment_id = ?")) {
            select.setString(1, deploymentId);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /** Ends a deployment: its final status, error, JSON package SHA-256 and the subscribers' outcomes. */
    void endDeployment(Connection connection, String deploymentId, String status, String error, String packageSha256,
            Object notifications) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE deployment SET status = ?, error = ?, "
                + "package_sha256 = COALESCE(?, package_sha256), notifications = ?, ended_at = ? WHERE deployment_id = ?")) {
            update.setString(1, status);
            update.setString(2, clip(error, ERROR_LENGTH));
            update.setString(3, packageSha256);
            update.setString(4, notifications == null ? null : writeJson(notifications));
            update.setTimestamp(5, now());
            update.setString(6, deploymentId);
            update.executeUpdate();
        }
    }

    /**
     * Records what a target made of a deployment and, if it accepted the package, that the target
     * now has that revision. One transaction.
     */
    public void recordDelivery(String deploymentId, String policyId, Integer revision, String target, boolean delivered,
            Integer httpStatus, int attempts, String packageSha256, String error) throws SQLException {
        inTransaction(connection -> {
            Timestamp now = now();
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM delivery WHERE deployment_id = ? AND target = ?")) {
                delete.setString(1, deploymentId);
                delete.setString(2, target);
                delete.executeUpdate();
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO delivery (deployment_id, target, "
                    + "status, http_status, attempts, package_sha256, error, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, deploymentId);
                insert.setString(2, target);
                insert.setString(3, delivered ? "delivered" : "failed");
                if (httpStatus == null) {
                    insert.setNull(4, Types.INTEGER);
                } else {
                    insert.setInt(4, httpStatus);
                }
                insert.setInt(5, attempts);
                insert.setString(6, packageSha256);
                insert.setString(7, clip(error, ERROR_LENGTH));
                insert.setTimestamp(8, now);
                insert.executeUpdate();
            }
            if (delivered && revision != null && packageSha256 != null) {
                upsertLive(connection, policyId, target, revision, packageSha256, deploymentId, now);
            }
            return null;
        });
    }

    private static void upsertLive(Connection connection, String policyId, String target, int revision,
            String packageSha256, String deploymentId, Timestamp now) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE live_target SET revision = ?, "
                + "package_sha256 = ?, deployment_id = ?, delivered_at = ? WHERE policy_id = ? AND target = ?")) {
            update.setInt(1, revision);
            update.setString(2, packageSha256);
            update.setString(3, deploymentId);
            update.setTimestamp(4, now);
            update.setString(5, policyId);
            update.setString(6, target);
            if (update.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO live_target (policy_id, target, "
                + "revision, package_sha256, deployment_id, delivered_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, policyId);
            insert.setString(2, target);
            insert.setInt(3, revision);
            insert.setString(4, packageSha256);
            insert.setString(5, deploymentId);
            insert.setTimestamp(6, now);
            insert.executeUpdate();
        }
    }

    /** @return the deployment with its deliveries, empty if unknown */
    public Optional<DeploymentRecord> deployment(String deploymentId) throws SQLException {
        try (Connection connection = connection();
                PreparedStatement select = connection.prepareStatement(DEPLOYMENT_COLUMNS + " WHERE deployment_id = ?")) {
            select.setString(1, deploymentId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(deploymentOf(row, deliveries(connection, deploymentId)));
            }
        }
    }

    /** Filters of {@link #deployments}; any may be {@code null}. */
    public record DeploymentFilter(String policyId, String status, String source, Instant since) {
    }

    /**
     * Deployments newest first, after the cursor (exclusive): a cursor is the {@code startedAt} and
     * id of the last item of the previous page.
     */
    public List<DeploymentRecord> deployments(DeploymentFilter filter, Instant beforeStart, String beforeId, int limit)
            throws SQLException {
        StringBuilder sql = new StringBuilder(DEPLOYMENT_COLUMNS).append(" WHERE 1 = 1");
        List<Object> parameters = new ArrayList<>();
        if (filter.policyId() != null) {
            sql.append(" AND policy_id = ?");
            parameters.add(filter.policyId());
        }
        if (filter.status() != null) {
            sql.append(" AND status = ?");
            parameters.add(filter.status());
        }
        if (filter.source() != null) {
            sql.append(" AND source = ?");
            parameters.add(filter.source());
        }
        if (filter.since() != null) {
            sql.append(" AND started_at >= ?");
            parameters.add(Timestamp.from(filter.since()));
        }
        if (beforeStart != null) {
            sql.append(" AND (started_at < ? OR (started_at = ? AND deployment_id < ?))");
            parameters.add(Timestamp.from(beforeStart));
            parameters.add(Timestamp.from(beforeStart));
            parameters.add(beforeId);
        }
        sql.append(" ORDER BY started_at DESC, deployment_id DESC");
        List<DeploymentRecord> records = new ArrayList<>();
        try (Connection connection = connection(); PreparedStatement select = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                select.setObject(i + 1, parameters.get(i));
            }
            select.setMaxRows(limit);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    records.add(deploymentOf(row, null));
                }
            }
            List<DeploymentRecord> withDeliveries = new ArrayList<>(records.size());
            for (DeploymentRecord record : records) {
                withDeliveries.add(withTargets(record, deliveries(connection, record.deploymentId())));
            }
            return withDeliveries;
        }
    }

    /** The precise start of a deployment (for cursors), empty if unknown. */
    public Optional<Instant> startOf(String deploymentId) throws SQLException {
        try (Connection connection = connection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT started_at FROM deployment WHERE deployment_id = ?")) {
            select.setString(1, deploymentId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getTimestamp(1).toInstant()) : Optional.empty();
            }
        }
    }

    private static final String DEPLOYMENT_COLUMNS = "SELECT deployment_id, policy_id, revision, version, status, source, "
            + "actor, origin, reason, idempotency_key, policy_sha256, package_sha256, error, started_at, ended_at, "
            + "notifications FROM deployment";

    private DeploymentRecord deploymentOf(ResultSet row, List<DeliveryRecord> deliveries) throws SQLException {
        int revision = row.getInt(3);
        Integer revisionOrNull = row.wasNull() ? null : revision;
        String notifications = row.getString(16);
        return new DeploymentRecord(row.getString(1), row.getString(2), revisionOrNull, row.getString(4),
                row.getString(5), row.getString(6), row.getString(7), row.getString(8), row.getString(9),
                row.getString(10), row.getString(11), row.getString(12), row.getString(13), time(row.getTimestamp(14)),
                time(row.getTimestamp(15)), deliveries, notifications == null ? null : readTree(notifications));
    }

    private static DeploymentRecord withTargets(DeploymentRecord r, List<DeliveryRecord> targets) {
        return new DeploymentRecord(r.deploymentId(), r.policyId(), r.revision(), r.version(), r.status(), r.source(),
                r.actor(), r.origin(), r.reason(), r.idempotencyKey(), r.policySha256(), r.packageSha256(), r.error(),
                r.startedAt(), r.endedAt(), targets, r.notifications());
    }

    private static List<DeliveryRecord> deliveries(Connection connection, String deploymentId) throws SQLException {
        List<DeliveryRecord> deliveries = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT target, status, http_status, attempts, "
                + "package_sha256, error, ended_at FROM delivery WHERE deployment_id = ? ORDER BY target")) {
            select.setString(1, deploymentId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    int httpStatus = row.getInt(3);
                    Integer httpStatusOrNull = row.wasNull() ? null : httpStatus;
                    deliveries.add(new DeliveryRecord(row.getString(1), row.getString(2), httpStatusOrNull, row.getInt(4),
                            row.getString(5), row.getString(6), time(row.getTimestamp(7))));
                }
            }
        }
        return deliveries;
    }

    // ---- helpers -----------------------------------------------------------------------------

    private JsonNode readTree(String json) {
        try {
            return mapper.readTree(json);
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

    static Timestamp now() {
        return Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
    }

    static String time(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String clip(String text, int length) {
        return text == null || text.length() <= length ? text : text.substring(0, length - 1) + "…";
    }
}
