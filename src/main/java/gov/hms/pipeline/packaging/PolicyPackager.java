package gov.hms.pipeline.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.delivery.DeliveryTarget;
import gov.hms.pipeline.delivery.TargetDelivery;
import gov.hms.pipeline.validation.PolicyRejectedException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.camel.ExchangeProperty;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Turns a validated policy into the packages the enabled targets want (docs/packaging.md).
 * <ul>
 * <li>{@code json}, always: the envelope
 * <pre>{"manifest":{"createdAt","format":"json","policyId","sha256","version"},"policy":{...},"signature":"..."}</pre>
 * as RFC 8785 canonical JSON; {@code manifest.sha256} is the SHA-256 of the policy's canonical
 * JSON (also the {@code Idempotency-Key}); {@code signature}, only when signing is on, is a
 * detached JWS (RFC 7515 appendix F) over the canonical JSON of {@code manifest}.</li>
 * <li>{@code zip}, when an enabled target wants it: {@value #MANIFEST_ENTRY}, {@value #POLICY_ENTRY}
 * and, when signing is on, {@value #SIGNATURES_ENTRY}, written by {@link DeterministicZip}.</li>
 * </ul>
 * Every byte follows from the policy, the generator's name and version and the signing key:
 * {@code createdAt} is the policy's approval time, else its effective date, else the Unix
 * epoch, never the clock. Entry names are constants of this class; nothing from the input
 * names a file.
 */
@ApplicationScoped
@Named("policyPackager")
public class PolicyPackager {

    static final String FIXED_EPOCH = "1970-01-01T00:00:00Z";

    /** Version of the ZIP layout and its manifest, written as {@code packageFormat}. */
    public static final int PACKAGE_FORMAT = 1;
    public static final String MANIFEST_ENTRY = "manifest.json";
    public static final String POLICY_ENTRY = "policy.json";
    public static final String SIGNATURES_ENTRY = "signatures.json";

    /**
     * Who wrote a package, as its manifest says.
     *
     * @param name    the service's name ({@code quarkus.application.name})
     * @param version its version ({@code quarkus.application.version}, the project version)
     */
    public record Generator(String name, String version) {
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final long maxBytes;
    private final PackageSigner signer;
    private final Supplier<Set<String>> wantedFormats;
    private final Generator generator;

    @Inject
    PolicyPackager(PipelineConfig config, PackageSigner signer, TargetDelivery targets,
            @ConfigProperty(name = "quarkus.application.name") String name,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this(config.packaging().maxBytes(), signer,
                () -> targets.enabledTargets().stream().map(DeliveryTarget::format).collect(Collectors.toSet()),
                new Generator(name, version));
    }

    /**
     * @param maxBytes      largest package allowed, in bytes ({@code pipeline.packaging.max-bytes})
     * @param signer        signs packages, or {@link PackageSigner#unsigned()}
     * @param wantedFormats the formats the enabled targets want, asked at each deployment
     * @param generator     written into ZIP manifests
     */
    public PolicyPackager(long maxBytes, PackageSigner signer, Supplier<Set<String>> wantedFormats, Generator generator) {
        this.maxBytes = maxBytes;
        this.signer = signer;
        this.wantedFormats = wantedFormats;
        this.generator = generator;
    }

    /**
     * Packages the deployment's policy and records the policy hash and every package on it.
     *
     * @return the JSON package
     * @throws PolicyRejectedException 413 when a package is larger than {@code pipeline.packaging.max-bytes}
     */
    public PolicyPackage packageFor(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        JsonNode policy = deployment.policy();
        byte[] canonicalPolicy = CanonicalJson.canonicalize(policy);
        String policySha256 = CanonicalJson.sha256Hex(canonicalPolicy);
        deployment.policySha256(policySha256);

        PolicyPackage jsonPackage = withinLimit(deployment, jsonPackage(deployment.policyId(), policy, policySha256));
        deployment.addPackage(jsonPackage);
        if (wantedFormats.get().contains(PolicyPackage.ZIP)) {
            deployment.addPackage(withinLimit(deployment, zipPackage(deployment.policyId(), policy, canonicalPolicy)));
        }
        return jsonPackage;
    }

    private PolicyPackage jsonPackage(String policyId, JsonNode policy, String policySha256) {
        ObjectNode envelope = mapper.createObjectNode();
        ObjectNode manifest = envelope.putObject("manifest");
        manifest.put("policyId", policyId);
        manifest.set("version", versionOf(policy));
        manifest.put("createdAt", createdAt(policy));
        manifest.put("sha256", policySha256);
        manifest.put("format", PolicyPackage.JSON);
        envelope.set("policy", policy);
        if (signer.enabled()) {
            envelope.put("signature", signer.signDetached(CanonicalJson.canonicalize(manifest)));
        }
        byte[] bytes = CanonicalJson.canonicalize(envelope);
        return new PolicyPackage(PolicyPackage.JSON, "application/json", bytes, CanonicalJson.sha256Hex(bytes));
    }

    private PolicyPackage zipPackage(String policyId, JsonNode policy, byte[] canonicalPolicy) {
        ObjectNode manifest = mapper.createObjectNode();
        manifest.put("packageFormat", PACKAGE_FORMAT);
        manifest.put("policyId", policyId);
        manifest.set("version", versionOf(policy));
        manifest.put("createdAt", createdAt(policy));
        ObjectNode generatorNode = manifest.putObject("generator");
        generatorNode.put("name", generator.name());
        generatorNode.put("version", generator.version());
        ObjectNode policyFile = manifest.putArray("files").addObject();
        policyFile.put("name", POLICY_ENTRY);
        policyFile.put("sha256", CanonicalJson.sha256Hex(canonicalPolicy));
        policyFile.put("size", canonicalPolicy.length);

        List<DeterministicZip.Entry> entries = new ArrayList<>();
        entries.add(new DeterministicZip.Entry(MANIFEST_ENTRY, CanonicalJson.canonicalize(manifest)));
        entries.add(new DeterministicZip.Entry(POLICY_ENTRY, canonicalPolicy));
        if (signer.enabled()) {
            entries.add(new DeterministicZip.Entry(SIGNATURES_ENTRY, signatures(entries)));
        }
        byte[] bytes = DeterministicZip.write(entries);
        return new PolicyPackage(PolicyPackage.ZIP, "application/zip", bytes, CanonicalJson.sha256Hex(bytes));
    }

    /**
     * {@code {"signatures":["<JWS compact>"]}}, the JWS payload naming every other entry with its
     * hash, as OPA signs its bundles: {@code {"files":[{"algorithm":"SHA-256","hash":"<hex>","name":"..."}]}}.
     */
    private byte[] signatures(List<DeterministicZip.Entry> signedEntries) {
        ObjectNode payload = mapper.createObjectNode();
        ArrayNode files = payload.putArray("files");
        for (DeterministicZip.Entry entry : signedEntries) {
            ObjectNode file = files.addObject();
            file.put("name", entry.name());
            file.put("hash", CanonicalJson.sha256Hex(entry.bytes()));
            file.put("algorithm", "SHA-256");
        }
        ObjectNode signatures = mapper.createObjectNode();
        signatures.putArray("signatures").add(signer.signCompact(CanonicalJson.canonicalize(payload)));
        return CanonicalJson.canonicalize(signatures);
    }

    private PolicyPackage withinLimit(Deployment deployment, PolicyPackage policyPackage) {
        if (policyPackage.size() > maxBytes) {
            throw new PolicyRejectedException(413, "Package too large: the " + policyPackage.format()
                    + " package of policy " + deployment.policyId() + " is " + policyPackage.size()
                    + " bytes, more than pipeline.packaging.max-bytes (" + maxBytes + ")");
        }
        return policyPackage;
    }

    private JsonNode versionOf(JsonNode policy) {
        return policy.hasNonNull("version") ? policy.get("version") : mapper.nullNode();
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
