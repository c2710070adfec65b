package gov.hms.pipeline.idempotency;

/**
 * The policy was already deployed successfully (same SHA-256 of its RFC 8785 canonical JSON):
 * {@code direct:deploy} ends the deployment as {@code duplicate} + {@code completed} without
 * delivering. Not an error; thrown only for deployments that asked to skip duplicates.
 */
public class DuplicatePolicyException extends RuntimeException {

    private final String policySha256;

    public DuplicatePolicyException(String policySha256) {
        super("policy sha256=" + policySha256 + " was already deployed", null, false, false);
        this.policySha256 = policySha256;
    }

    /** The SHA-256 (hex) of the policy's canonical JSON. */
    public String policySha256() {
        return policySha256;
    }
}
