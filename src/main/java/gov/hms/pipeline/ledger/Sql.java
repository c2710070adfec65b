package gov.hms.pipeline.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Positional JDBC parameters in one call, the same on H2 and PostgreSQL: {@code null} is SQL NULL
 * (of unspecified type, which both infer from the column), an {@link Instant} a
 * {@code TIMESTAMP WITH TIME ZONE}, anything else {@link PreparedStatement#setObject}.
 */
public final class Sql {

    private Sql() {
    }

    /** @return the statement, its parameters bound in order */
    public static PreparedStatement bind(PreparedStatement statement, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            Object value = values[i];
            if (value == null) {
                statement.setNull(i + 1, Types.NULL);
            } else if (value instanceof Instant instant) {
                statement.setTimestamp(i + 1, Timestamp.from(instant));
            } else {
                statement.setObject(i + 1, value);
            }
        }
        return statement;
    }

    /** Reads one row of a result. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    /** Runs a SELECT. @return every row it found, read by {@code reader}, in order */
    public static <T> List<T> query(Connection connection, String sql, RowReader<T> reader, Object... values)
            throws SQLException {
        List<T> rows = new ArrayList<>();
        try (PreparedStatement statement = bind(connection.prepareStatement(sql), values);
                ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                rows.add(reader.read(row));
            }
        }
        return rows;
    }

    /** Runs a SELECT expected to find at most one row. @return it, read by {@code reader} */
    public static <T> Optional<T> queryOne(Connection connection, String sql, RowReader<T> reader, Object... values)
            throws SQLException {
        return query(connection, sql, reader, values).stream().findFirst();
    }

    /** An integer column that may be NULL. */
    public static Integer nullableInt(ResultSet row, int column) throws SQLException {
        int value = row.getInt(column);
        return row.wasNull() ? null : value;
    }

    /** A timestamp column as RFC 3339 UTC with milliseconds, or {@code null}. */
    public static String time(ResultSet row, int column) throws SQLException {
        Timestamp timestamp = row.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /**
     * Runs an INSERT, UPDATE or DELETE. In auto-commit mode it returns once the change is durable
     * ({@link H2GroupCommit}); inside a transaction, the commit makes it so
     * ({@link DeploymentLedger#inTransaction}).
     *
     * @return the rows it changed
     */
    public static int update(Connection connection, String sql, Object... values) throws SQLException {
        int changed;
        try (PreparedStatement statement = bind(connection.prepareStatement(sql), values)) {
            changed = statement.executeUpdate();
        }
        if (changed > 0 && connection.getAutoCommit()) {
            H2GroupCommit.awaitDurable(connection);
        }
        return changed;
    }
}
