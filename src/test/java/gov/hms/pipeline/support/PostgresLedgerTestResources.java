package gov.hms.pipeline.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@link LedgerTestResources} with the ledger on a real PostgreSQL server (zonky's embedded
 * PostgreSQL 17 binaries from Maven: no Docker, no install), started for the test class and
 * stopped after it. The H2 datasource is switched off and the PostgreSQL one on, by run-time keys
 * only, as an operator would.
 */
public class PostgresLedgerTestResources extends LedgerTestResources {

    private static EmbeddedPostgres postgres;

    @Override
    protected Map<String, String> databaseConfig(Path dataDir) {
        try {
            postgres = EmbeddedPostgres.builder().setDataDirectory(dataDir.resolve("postgres"))
                    .setCleanDataDirectory(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
        }
        return Map.of(
                "quarkus.datasource.h2.active", "false",
                "quarkus.datasource.postgresql.active", "true",
                "quarkus.datasource.postgresql.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
                "quarkus.datasource.postgresql.username", "postgres",
                "quarkus.datasource.postgresql.password", "postgres");
    }

    @Override
    public void stop() {
        super.stop();
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
