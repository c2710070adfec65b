package gov.hms.pipeline.ledger;

import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.api.Source;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Rollback and sync: an operator's deployment of an archived revision, through the same
 * {@code direct:deploy} route as every other deployment (same answers, audit and ledger records).
 * Both are new intents: their targets receive a new {@code Idempotency-Key} (docs/ledger.md).
 */
@ApplicationScoped
public class Redeployments {

    private final DeploymentLedger ledger;
    private final ProducerTemplate producer;

    public Redeployments(DeploymentLedger ledger, ProducerTemplate producer) {
        this.ledger = ledger;
        this.producer = producer;
    }

    /**
     * Makes an archived revision live again, delivered byte for byte as first built, to every
     * enabled target that does not have it; subscribers get a {@code gov.hms.policy.rolled-back} event.
     *
     * @param versionOrRevision a {@code version} label, or a revision number
     * @param reason            why (required; audited)
     * @return the deployment's result; 404 for an unknown policy or version
     */
    public DeploymentResult rollback(String policyId, String versionOrRevision, String reason, String actor)
            throws SQLException {
        if (ledger.currentRevision(policyId).isEmpty()) {
            return DeploymentResult.failure(404, "no policy " + policyId + " in the ledger");
        }
        var revision = ledger.resolveRevision(policyId, versionOrRevision);
        if (revision.isEmpty()) {
            return DeploymentResult.failure(404, "policy " + policyId + " has no version or revision " + versionOrRevision);
        }
        return replay(Source.ROLLBACK, policyId, revision.get(), reason, actor,
                "rollback to revision " + revision.get() + " (" + versionOrRevision + ")");
    }

    /**
     * Re-delivers the policy's current revision to every enabled target that does not have it
     * (after a partial failure, or a target that lost its data); answered {@code success} with
     * nothing delivered when all are in sync.
     *
     * @return the deployment's result; 404 for an unknown policy
     */
    public DeploymentResult sync(String policyId, String reason, String actor) throws SQLException {
        var current = ledger.currentRevision(policyId);
        if (current.isEmpty()) {
            return DeploymentResult.failure(404, "no policy " + policyId + " in the ledger");
        }
        return replay(Source.SYNC, policyId, current.get(), reason, actor, "sync of revision " + current.get());
    }

    private DeploymentResult replay(Source source, String policyId, int revision, String reason, String actor,
            String what) {
        Deployment deployment = Deployment.replaying(source, actor,
                what + (reason == null || reason.isBlank() ? "" : ": " + reason), revision, reason);
        deployment.identify(policyId, null);
        Exchange done = producer.send("direct:deploy", exchange -> exchange.setProperty(Deployment.PROPERTY, deployment));
        DeploymentResult result = done.getMessage().getBody(DeploymentResult.class);
        return result != null ? result : DeploymentResult.failure(500, "Internal error; see the service log");
    }
}
