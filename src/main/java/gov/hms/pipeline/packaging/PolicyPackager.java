package gov.hms.pipeline.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.api.Deployment;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.apache.camel.ExchangeProperty;

/**
 * Wraps a validated policy into its JSON package, the envelope
 * <pre>{"manifest":{"policyId","version","createdAt","sha256","format":"json"},"policy":{...}}</pre>
 * written as RFC 8785 canonical JSON, so the same policy always gives the same bytes.
 * {@code manifest.sha256} is the SHA-256 of the policy's canonical JSON, which is also the
 * deployment's {@code Idempotency-Key}; {@code createdAt} comes from the policy (approval time,
 * else effective date, else the Unix epoch), never from the clock.
 */
@ApplicationScoped
@Named("policyPackager")
public class PolicyPackager {

    static final String FIXED_EPOCH = "1970-01-01T00:00:00Z";

    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * Packages the deployment's policy and records the policy hash and the package on it.
     *
     * @return the JSON package
     */
    public PolicyPackage packageFor(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        JsonNode policy = deployment.policy();
        byte[] canonicalPolicy = CanonicalJson.canonicalize(policy);
        String policySha256 = CanonicalJson.sha256Hex(canonicalPolicy);
        deployment.policySha256(policySha256);

        ObjectNode envelope = mapper.createObjectNode();
        ObjectNode manifest = envelope.putObject("manifest");
        manifest.put("policyId", deployment.policyId());
        if (policy.hasNonNull("version")) {
            manifest.set("version", policy.get("version"));
        } else {
            manifest.putNull("version");
        }
        manifest.put("createdAt", createdAt(policy));
        manifest.put("sha256", policySha256);
        manifest.put("format", PolicyPackage.JSON);
        envelope.set("policy", policy);

        byte[] bytes = CanonicalJson.canonicalize(envelope);
        PolicyPackage jsonPackage = new PolicyPackage(PolicyPackage.JSON, "application/json", bytes,
                CanonicalJson.sha256Hex(bytes));
        deployment.addPackage(jsonPackage);
        return jsonPackage;
    }

    /** The policy's own time: {@code approval.approvedAt}, else {@code effectiveDate}, else the epoch. */
    static String createdAt(JsonNode policy) {
        JsonNode approvedAt = policy.path("approval").path("approvedAt");
        if (approvedAt.isTextual() && !approvedAt.asText().isBlank()) {
            return approvedAt.asText();
        }
        JsonNode effectiveDate = policy.path("effectiveDate");
        if (effectiveDate.isTextual() && !effectiveDate.asText().isBlank()) {
            return effectiveDate.asText();
        }
        return FIXED_EPOCH;
    }
}
