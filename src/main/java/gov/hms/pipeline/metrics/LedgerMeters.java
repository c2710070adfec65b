package gov.hms.pipeline.metrics;

import gov.hms.pipeline.ledger.H2GroupCommit;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The embedded ledger's group commit, read when Prometheus scrapes {@code /q/metrics}
 * (both stay 0 on PostgreSQL, which makes its own commits durable):
 * <ul>
 * <li>{@code pipeline_ledger_commits_total}: ledger commits that waited to be in the H2 file</li>
 * <li>{@code pipeline_ledger_file_writes_total}: writes of the H2 file run for them; commits per
 * write shows how well concurrent deployments share them (docs/ledger.md)</li>
 * </ul>
 */
@Startup
@ApplicationScoped
public class LedgerMeters {

    public LedgerMeters(MeterRegistry registry) {
        // JVM-wide counts (the H2 database outlives an application restart in tests): registered once.
        if (registry.find("pipeline.ledger.commits").meter() == null) {
            FunctionCounter.builder("pipeline.ledger.commits", H2GroupCommit.class, type -> H2GroupCommit.commits())
                    .description("Ledger commits that waited to be in the embedded database file").register(registry);
            FunctionCounter.builder("pipeline.ledger.file.writes", H2GroupCommit.class, type -> H2GroupCommit.fileWrites())
                    .description("Writes of the embedded database file run for waiting commits").register(registry);
        }
    }
}
