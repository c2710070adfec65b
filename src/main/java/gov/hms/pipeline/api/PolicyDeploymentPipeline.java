package gov.hms.pipeline.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.ingest.PolicyParser;
import jakarta.enterprise.context.ApplicationScoped;
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
    private final ObjectMapper mapper = new ObjectMapper();

    public PolicyDeploymentPipeline(ProducerTemplate producer) {
        this.producer = producer;
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
