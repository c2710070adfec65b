package gov.hms.pipeline.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.ingest.PolicyParser;
import gov.hms.pipeline.ledger.LedgerRecords.PolicyStatus;
import gov.hms.pipeline.ledger.LedgerRecords.PolicyVersion;
import gov.hms.pipeline.ledger.PolicyCatalogue;
import gov.hms.pipeline.ledger.Redeployments;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * The Java API: the seed's {@code PolicyDeploymentPipeline().deploy(policy)}. Every call enters
 * the same {@code direct:deploy} route as HTTP, inbox and queue, and answers the same result.
 *
 * <pre>{@code
 * @Inject PolicyDeploymentPipeline pipeline;
 * DeploymentResult result = pipeline.deploy(Map.of("id", "policy-2023-vax", "title", "…", "content", "…"));
 * result.status(); // "success" or "failure"; result.error() says why
 * }</pre>
 */
@ApplicationScoped
public class PolicyDeploymentPipeline {

    static final String DEPLOY_ENDPOINT = "direct:deploy";

    private final ProducerTemplate producer;
    private final PolicyCatalogue catalogue;
    private final Redeployments redeployments;
    private final ObjectMapper mapper = new ObjectMapper();

    public PolicyDeploymentPipeline(ProducerTemplate producer, PolicyCatalogue catalogue, Redeployments redeployments) {
        this.producer = producer;
        this.catalogue = catalogue;
        this.redeployments = redeployments;
    }

    /**
     * What is live where for one policy (as {@code GET /api/policies/{id}}).
     *
     * @return empty if the ledger has no such policy
     * @throws SQLException if the ledger's database fails
     */
    public Optional<PolicyStatus> live(String policyId) throws SQLException {
        return catalogue.live(policyId);
    }

    /**
     * The policy's versions, newest first (as {@code GET /api/policies/{id}/versions}); empty if unknown.
     *
     * @throws SQLException if the ledger's database fails
     */
    public List<PolicyVersion> versions(String policyId) throws SQLException {
        return catalogue.versions(policyId);
    }

    /**
     * Makes an archived version live again (as {@code POST /api/policies/{id}/rollback}), through the
     * deploy route, audited with actor {@code anonymous} and the reason.
     *
     * @param version a {@code version} label, or a revision number
     * @return the result; 404 when the policy or version is unknown
     * @throws SQLException if the ledger's database fails
     */
    public DeploymentResult rollback(String policyId, String version, String reason) throws SQLException {
        return redeployments.rollback(policyId, version, reason, null);
    }

    /** Deploys a policy given as a map (the seed's dict); audited with actor {@code anonymous}. */
    public DeploymentResult deploy(Map<String, ?> policy) {
        return deploy(toJson(policy), null);
    }

    /** Deploys a policy given as a JSON tree. */
    public DeploymentResult deploy(JsonNode policy) {
        return deploy(toJson(policy), null);
    }

    /** Deploys a policy given as JSON text. */
    public DeploymentResult deploy(String policyJson) {
        return deploy(PolicyParser.utf8(policyJson), null);
    }

    /**
     * Deploys a policy given as UTF-8 JSON bytes.
     *
     * @param policyJson the policy
     * @param actor      who asks, for the audit log; {@code null} means {@code anonymous}
     * @return the result; never {@code null}, never throws for a bad policy or a failing target
     */
    public DeploymentResult deploy(byte[] policyJson, String actor) {
        Exchange done = producer.send(DEPLOY_ENDPOINT, exchange -> {
            exchange.getMessage().setBody(policyJson);
            exchange.setProperty(Deployment.PROPERTY, new Deployment(Source.API, actor, "java api", null));
        });
        DeploymentResult result = done.getMessage().getBody(DeploymentResult.class);
        if (result == null) {
            Exception cause = done.getException();
            return DeploymentResult.failure(500,
                    "Internal error: " + (cause == null ? "no result" : cause.getClass().getSimpleName()));
        }
        return result;
    }

    private byte[] toJson(Object policy) {
        try {
            return PolicyParser.utf8(mapper.writeValueAsString(policy));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the policy cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
