package gov.hms.pipeline.ledger;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.nio.file.Path;

/**
 * The ledger's database: whichever of the two datasources built into the jar is active at run
 * time. Quarkus fixes a datasource's {@code db-kind} at build time, so the jar carries an embedded
 * H2 one ({@code quarkus.datasource.h2.*}, active by default) and a PostgreSQL one
 * ({@code quarkus.datasource.postgresql.*}); an operator switches with {@code .active} alone.
 * Start-up fails at once, naming the keys, when none or both are active (Quarkus itself would
 * only fail at the first query).
 */
@ApplicationScoped
@Startup
public class LedgerDatabase {

    private final AgroalDataSource dataSource;
    private final String kind;
    private final String url;

    public LedgerDatabase(@DataSource("h2") InjectableInstance<AgroalDataSource> h2,
            @DataSource("postgresql") InjectableInstance<AgroalDataSource> postgresql) {
        List<String> active = new ArrayList<>();
        AgroalDataSource chosen = null;
        for (AgroalDataSource candidate : h2.listActive()) {
            active.add("h2");
            chosen = candidate;
        }
        for (AgroalDataSource candidate : postgresql.listActive()) {
            active.add("postgresql");
            chosen = candidate;
        }
        if (active.size() != 1) {
            throw new IllegalStateException("the deployment ledger needs exactly one active datasource, found "
                    + (active.isEmpty() ? "none" : active) + ": set quarkus.datasource.h2.active or "
                    + "quarkus.datasource.postgresql.active (and its jdbc.url, username, password) to true, the other to false");
        }
        this.dataSource = chosen;
        this.kind = active.get(0);
        this.url = urlOf(chosen);
        Log.infof("deployment ledger on %s (%s)", kind, url);
    }

    /** @return a pooled connection (auto-commit on); the caller closes it */
    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** {@code h2} or {@code postgresql}. */
    public String kind() {
        return kind;
    }

    /** The JDBC URL without its parameters (a PostgreSQL URL may carry a password in them). */
    public String url() {
        return url;
    }

    /** The folder of an embedded H2 database file ({@code jdbc:h2:file:<path>}), absolute; empty for a server. */
    public Optional<Path> embeddedFolder() {
        String prefix = "jdbc:h2:file:";
        if (!url.startsWith(prefix)) {
            return Optional.empty();
        }
        return Optional.ofNullable(Path.of(url.substring(prefix.length())).toAbsolutePath().normalize().getParent());
    }

    private static String urlOf(AgroalDataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            // The URL without parameters: a PostgreSQL URL may carry a password.
            String url = connection.getMetaData().getURL();
            int parameters = url.indexOf(url.startsWith("jdbc:h2:") ? ';' : '?');
            return parameters < 0 ? url : url.substring(0, parameters);
        } catch (SQLException e) {
            throw new IllegalStateException("the deployment ledger's database cannot be reached: " + e.getMessage(), e);
        }
    }
}
