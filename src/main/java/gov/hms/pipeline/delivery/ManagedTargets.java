package gov.hms.pipeline.delivery;

import gov.hms.pipeline.ledger.DeploymentLedger;
import gov.hms.pipeline.ledger.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Targets managed at run time ({@code /api/targets}): the ledger's {@code delivery_target} table
 * ({@code db/migration/V5__delivery_targets.sql}), so every instance sharing the database delivers to
 * the same targets. They never carry credentials (a target that needs them is configured). Each
 * deployment reads the table afresh: a target added, disabled or removed counts from the next
 * deployment's admission on, on every instance.
 */
@ApplicationScoped
public class ManagedTargets {

    private static final String COLUMNS = "SELECT name, url, format, target_groups, enabled, connect_timeout_ms, "
            + "response_timeout_ms, created_at, updated_at, updated_by FROM delivery_target";

    private final DeploymentLedger ledger;

    public ManagedTargets(DeploymentLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * One target managed at run time.
     *
     * @param groups          the labels a deployment may select it by
     * @param connectTimeout  time allowed to connect
     * @param responseTimeout time allowed for the answer
     * @param updatedBy       who added it or last enabled or disabled it
     */
    public record ManagedTarget(String name, String url, String format, List<String> groups, boolean enabled,
            Duration connectTimeout, Duration responseTimeout, String createdAt, String updatedAt, String updatedBy) {
    }

    /** @return every managed target, by name */
    public List<ManagedTarget> list() throws SQLException {
        try (Connection connection = ledger.connection()) {
            return Sql.query(connection, COLUMNS + " ORDER BY name", ManagedTargets::targetOf);
        }
    }

    /** @return the managed target of that name, if any */
    public Optional<ManagedTarget> find(String name) throws SQLException {
        try (Connection connection = ledger.connection()) {
            return Sql.queryOne(connection, COLUMNS + " WHERE name = ?", ManagedTargets::targetOf, name);
        }
    }

    /**
     * Adds a target (its name checked by the caller against the configured ones).
     *
     * @return {@code false} if a managed target of that name exists already
     */
    public boolean add(ManagedTarget target, String actor) throws SQLException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try (Connection connection = ledger.connection()) {
            if (Sql.queryOne(connection, "SELECT name FROM delivery_target WHERE name = ?", row -> row.getString(1),
                    target.name()).isPresent()) {
                return false;
            }
            Sql.update(connection, "INSERT INTO delivery_target (name, url, format, target_groups, enabled, "
                    + "connect_timeout_ms, response_timeout_ms, created_at, updated_at, updated_by) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", target.name(), target.url(), target.format(),
                    String.join(",", target.groups()), target.enabled(), (int) target.connectTimeout().toMillis(),
                    (int) target.responseTimeout().toMillis(), now, now, actor);
            return true;
        } catch (SQLException e) {
            // Two instances adding one name at once: the primary key refuses the second.
            if (find(target.name()).isPresent()) {
                return false;
            }
            throw e;
        }
    }

    /** @return {@code false} if there is no managed target of that name */
    public boolean setEnabled(String name, boolean enabled, String actor) throws SQLException {
        try (Connection connection = ledger.connection()) {
            return Sql.update(connection, "UPDATE delivery_target SET enabled = ?, updated_at = ?, updated_by = ? WHERE name = ?",
                    enabled, Instant.now().truncatedTo(ChronoUnit.MICROS), actor, name) == 1;
        }
    }

    /** @return {@code false} if there is no managed target of that name */
    public boolean remove(String name) throws SQLException {
        try (Connection connection = ledger.connection()) {
            return Sql.update(connection, "DELETE FROM delivery_target WHERE name = ?", name) == 1;
        }
    }

    private static ManagedTarget targetOf(ResultSet row) throws SQLException {
        String groups = row.getString(4);
        return new ManagedTarget(row.getString(1), row.getString(2), row.getString(3),
                groups.isEmpty() ? List.of() : Arrays.asList(groups.split(",")), row.getBoolean(5),
                Duration.ofMillis(row.getInt(6)), Duration.ofMillis(row.getInt(7)), Sql.time(row, 8), Sql.time(row, 9),
                row.getString(10));
    }
}
