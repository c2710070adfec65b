package gov.hms.pipeline.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.DeploymentResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.ProducerTemplate;

/**
 * Withdrawal of a live policy (docs/scheduling.md, "Withdrawal"): an operator's
 * {@code DELETE /api/policies/{id}} with a reason becomes a deployment, through the same deploy
 * route as every other, of the policy's <em>tombstone</em>: a policy document that says the policy
 * is withdrawn, which, packaged and signed like any policy, reaches every enabled target and becomes
 * the policy's next revision in the ledger (so the catalogue shows it withdrawn, the history keeps
 * it, and a rollback or a new deployment makes a version live again). Subscribers get a
 * {@code gov.hms.policy.withdrawn} CloudEvent. The tombstone:
 * <pre>{"id":"…","status":"withdrawn","effectiveDate":"&lt;withdrawnAt&gt;","title":"Withdrawn: &lt;title&gt;",
 *  "withdrawal":{"revision":N,"version":"…","policySha256":"…","reason":"…","withdrawnBy":"…","withdrawnAt":"…"}}</pre>
 */
@ApplicationScoped
@Named("withdrawals")
public class Withdrawals {

    /** The tombstone's {@code status}. */
    public static final String WITHDRAWN = "withdrawn";

    private final DeploymentLedger ledger;
    private final ProducerTemplate producer;
    private final ObjectMapper mapper = new ObjectMapper();

    public Withdrawals(DeploymentLedger ledger, ProducerTemplate producer) {
        this.ledger = ledger;
        this.producer = producer;
    }

    /**
     * Withdraws the policy's current revision from every enabled target.
     *
     * @param reason why (required; audited and in the tombstone)
     * @return the deployment's result; 404 for an unknown policy, 409 if it is withdrawn already
     */
    public DeploymentResult withdraw(String policyId, String reason, String actor) throws SQLException {
        return withdraw(java.util.UUID.randomUUID().toString(), policyId, reason, actor);
    }

    /**
     * As {@link #withdraw(String, String, String)} under a given deployment id (a scheduled
     * withdrawal at {@code expiresAt} keeps the id it was scheduled under).
     */
    public DeploymentResult withdraw(String deploymentId, String policyId, String reason, String actor)
            throws SQLException {
        Optional<Integer> current = ledger.currentRevision(policyId);
        if (current.isEmpty()) {
            return DeploymentResult.failure(404, "no policy " + policyId + " in the ledger");
        }
        if (isWithdrawn(policyId, current.get())) {
            return DeploymentResult.failure(409, "policy " + policyId + " is withdrawn already (revision " + current.get()
                    + "); deploy or roll back a version to make it live again");
        }
        Deployment deployment = Deployment.withdrawing(deploymentId, policyId, actor, "withdrawal of revision " + current.get()
                + ": " + reason, reason);
        Exchange done = producer.send("direct:deploy", exchange -> exchange.setProperty(Deployment.PROPERTY, deployment));
        DeploymentResult result = done.getMessage().getBody(DeploymentResult.class);
        return result != null ? result : DeploymentResult.failure(500, "Internal error; see the service log");
    }

    /**
     * In the deploy route, instead of parsing and validating: the tombstone of the policy's current
     * revision becomes the deployment's policy (then packaged as any policy).
     */
    public void tombstone(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) throws SQLException {
        String policyId = deployment.policyId();
        int revision = ledger.currentRevision(policyId)
                .orElseThrow(() -> new LedgerConflictException("no policy " + policyId + " in the ledger"));
        DeploymentLedger.RevisionRow withdrawn = ledger.revision(policyId, revision).orElseThrow();
        String title = ledger.policyJson(policyId, revision).map(json -> json.path("title").asText("")).orElse("");
        String now = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        ObjectNode tombstone = mapper.createObjectNode();
        tombstone.put("id", policyId);
        tombstone.put("title", "Withdrawn: " + title);
        tombstone.put("content", "This policy is withdrawn: " + deployment.reason());
        tombstone.put("status", WITHDRAWN);
        tombstone.put("effectiveDate", now);
        ObjectNode withdrawal = tombstone.putObject("withdrawal");
        withdrawal.put("revision", revision);
        withdrawal.put("version", withdrawn.version());
        withdrawal.put("policySha256", withdrawn.policySha256());
        withdrawal.put("reason", deployment.reason());
        withdrawal.put("withdrawnBy", deployment.actor());
        withdrawal.put("withdrawnAt", now);
        deployment.policy(tombstone);
    }

    /** @return whether the revision is a tombstone (stored by a withdrawal) */
    public boolean isWithdrawn(String policyId, int revision) throws SQLException {
        try (Connection connection = ledger.connection()) {
            return Sql.queryOne(connection, "SELECT source FROM policy_version WHERE policy_id = ? AND revision = ?",
                    row -> row.getString(1), policyId, revision)
                    .map(gov.hms.pipeline.api.Source.WITHDRAWAL.label()::equals).orElse(false);
        }
    }
}
