package gov.hms.pipeline.ledger;

import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.service.PeriodicTask;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Ends, in the ledger, deployments that no instance is carrying any more. A deployment holds its
 * policy's lease from admission (the same transaction that inserts its {@code delivering} row) to its
 * end (the same transaction that records its status), so a {@code delivering} row whose lease is gone
 * was cut off: its instance died and the lease was dropped at that instance's restart or freed by its
 * silence ({@link InstanceHeartbeat}). Start-up recovery finds such deployments through the audit log
 * ({@link LedgerInterruptions}); this sweep also finds those whose records never reached the disk, and
 * those of an instance that never comes back. Each becomes {@value LedgerInterruptions#INTERRUPTED},
 * with what its delivery rows say. Every instance sweeps every {@code pipeline.ledger.heartbeat}; two
 * instances ending one row write the same thing.
 */
@ApplicationScoped
public class CutOffDeployments {

    private final LedgerDatabase database;
    private final LedgerInterruptions interruptions;
    private final Duration every;
    private PeriodicTask sweeper;

    public CutOffDeployments(LedgerDatabase database, LedgerInterruptions interruptions, PipelineConfig config) {
        this.database = database;
        this.interruptions = interruptions;
        this.every = config.ledger().heartbeat();
    }

    void start(@Observes StartupEvent start) {
        sweeper = PeriodicTask.start("cut-off-deployments", every, this::sweepQuietly);
    }

    @PreDestroy
    void stop() {
        if (sweeper != null) {
            sweeper.close();
        }
    }

    /** @return the deployments found cut off and marked interrupted */
    List<String> sweep() throws SQLException {
        List<String> cutOff;
        try (Connection connection = database.connection()) {
            cutOff = Sql.query(connection, "SELECT d.deployment_id FROM deployment d WHERE d.status = ? AND NOT EXISTS "
                    + "(SELECT 1 FROM policy_lease l WHERE l.holder = d.deployment_id)", row -> row.getString(1),
                    LedgerSteps.DELIVERING);
        }
        for (String deploymentId : cutOff) {
            String known = interruptions.interrupted(deploymentId);
            Log.warnf("deployment %s: cut off (no instance holds its policy's lease any more: its instance died);"
                    + " marked %s in the ledger; %s", deploymentId, LedgerInterruptions.INTERRUPTED, known);
        }
        return cutOff;
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (SQLException | RuntimeException e) {
            Log.warnf("the sweep for cut-off deployments failed (tried again in %s): %s", every, e.getMessage());
        }
    }
}
