package gov.hms.pipeline.audit;

/** The contract's audit steps, as written in the {@code step} field. */
public final class AuditStep {

    /** Exchange property naming the step a wire tap to the audit log records. */
    public static final String PROPERTY = "auditStep";

    public static final String RECEIVED = "received";
    public static final String VALIDATED = "validated";
    public static final String REJECTED = "rejected";
    public static final String DUPLICATE = "duplicate";
    public static final String PACKAGED = "packaged";
    public static final String DELIVERED = "delivered";
    public static final String DELIVERY_FAILED = "delivery-failed";
    public static final String NOTIFIED = "notified";
    public static final String NOTIFY_FAILED = "notify-failed";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    private AuditStep() {
    }
}
