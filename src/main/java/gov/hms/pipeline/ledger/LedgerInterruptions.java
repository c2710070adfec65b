package gov.hms.pipeline.ledger;

import gov.hms.pipeline.audit.InterruptedDeployments;
import gov.hms.pipeline.ledger.LedgerRecords.DeliveryRecord;
import gov.hms.pipeline.ledger.LedgerRecords.DeploymentRecord;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The ledger's side of start-up recovery: a deployment still {@code delivering} with no final audit
 * record was cut off by a crash; its row becomes {@value #INTERRUPTED}, and its delivery rows say
 * which targets got the package.
 */
@ApplicationScoped
public class LedgerInterruptions implements InterruptedDeployments {

    /** Ledger status of a deployment a crash cut off. */
    public static final String INTERRUPTED = "interrupted";

    private final DeploymentLedger ledger;

    public LedgerInterruptions(DeploymentLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public String interrupted(String deploymentId) {
        try {
            Optional<DeploymentRecord> row = ledger.deployment(deploymentId);
            if (row.isEmpty()) {
                return "it never reached the ledger: no target got the package";
            }
            List<DeliveryRecord> delivered = row.get().targets().stream()
                    .filter(t -> "delivered".equals(t.status())).toList();
            String known = delivered.isEmpty() ? "no target is known to have got the package"
                    : "targets that got the package: " + String.join(", ", delivered.stream()
                            .map(t -> t.target() + " (HTTP " + t.httpStatus() + ")").toList());
            if (LedgerSteps.DELIVERING.equals(row.get().status())) {
                ledger.inTransaction(connection -> {
                    ledger.endDeployment(connection, deploymentId, INTERRUPTED,
                            "interrupted by a crash; " + known, null, null);
                    return null;
                });
            }
            return known;
        } catch (SQLException | RuntimeException e) {
            Log.errorf("deployment %s: the ledger could not be read or updated at recovery: %s", deploymentId,
                    e.getMessage());
            return "the ledger could not be read (" + e.getMessage() + ")";
        }
    }
}
