package gov.hms.pipeline.delivery;

import com.fasterxml.jackson.annotation.JsonInclude;
import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.packaging.PolicyPackage;
import java.util.List;

/**
 * A deployment whose delivery finally failed, as kept in the ledger's {@code dead_letter} table until
 * it is retried successfully or discarded.
 *
 * @param id           the dead letter's id: the id of the deployment that failed (a UUID)
 * @param createdAt    when it was kept, RFC 3339 UTC
 * @param updatedAt    when a retry last changed it, RFC 3339 UTC
 * @param policyId     the policy's {@code id}
 * @param version      the policy's version, if any
 * @param policySha256 SHA-256 (hex) of the policy's canonical JSON: the {@code Idempotency-Key} every re-send carries
 * @param source       where the policy originally came in ({@code http}, {@code file}, {@code queue}, {@code api})
 * @param actor        who originally sent it
 * @param delivered    targets that have the package
 * @param missing      targets that do not, each with its last status, attempts and error
 * @param retries      retries asked for so far through the API
 * @param packages     the packages exactly as packaged (the revision's, from the ledger)
 * @param revision     the ledger revision the deployment makes live
 * @param idempotencyKey the {@code Idempotency-Key} of the deployment, which every retry carries
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(
        String id,
        String createdAt,
        String updatedAt,
        String policyId,
        String version,
        String policySha256,
        String source,
        String actor,
        List<String> delivered,
        List<DeliveryOutcome> missing,
        int retries,
        List<StoredPackage> packages,
        Integer revision,
        String idempotencyKey) {

    /** The key every re-send carries. */
    public String key() {
        return idempotencyKey;
    }

    /** One package as kept: {@link PolicyPackage} with its bytes. */
    public record StoredPackage(String format, String contentType, String sha256, byte[] bytes) {

        static StoredPackage of(PolicyPackage policyPackage) {
            return new StoredPackage(policyPackage.format(), policyPackage.contentType(), policyPackage.sha256(),
                    policyPackage.bytes());
        }

        PolicyPackage toPackage() {
            return new PolicyPackage(format, contentType, bytes, sha256);
        }
    }

    /**
     * What {@code GET /api/dead-letters} shows of a dead letter: everything but the package bytes.
     *
     * @param idempotencyKey the key every re-send carries (the deployment's)
     * @param lastError      the missing targets' errors in one line
     * @param packages       format, SHA-256 and size in bytes of each package kept
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(String id, String deploymentId, String createdAt, String updatedAt, String policyId,
            String version, String source, String idempotencyKey, List<String> delivered, List<DeliveryOutcome> missing,
            String lastError, int retries, List<PackageInfo> packages) {
    }

    /** Format, SHA-256 and size in bytes of one kept package. */
    public record PackageInfo(String format, String sha256, int size) {
    }

    public Summary summary() {
        String lastError = String.join("; ", missing.stream().map(d -> "target " + d.target() + ": " + d.error()).toList());
        // The audit log's term for the source (http, file, queue, api), not the stored enum name.
        String sourceLabel = source == null ? null : java.util.Arrays.stream(gov.hms.pipeline.api.Source.values())
                .filter(known -> known.name().equals(source)).map(gov.hms.pipeline.api.Source::label)
                .findFirst().orElse(source);
        return new Summary(id, id, createdAt, updatedAt, policyId, version, sourceLabel, key(), delivered, missing, lastError,
                retries, packages.stream().map(p -> new PackageInfo(p.format(), p.sha256(), p.bytes().length)).toList());
    }
}
