package gov.hms.pipeline.audit;

/** The contract's audit steps, as written in the {@code step} field, and the service's own events. */
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
    /**
     * The final record of a deployment a crash cut off, written at the next start-up before new
     * work: what the deployment had reached and which targets got the package.
     */
    public static final String INTERRUPTED = "interrupted";

    /**
     * The scheduling request's last record (docs/scheduling.md): validated, packaged and stored, to be
     * delivered at its {@code activateAt}. Its activation continues the same deployment id later,
     * from a new {@code received} record to its own {@code completed} or {@code failed}.
     */
    public static final String SCHEDULED = "scheduled";
    /** A scheduled activation an operator cancelled before it was due ({@code DELETE /api/deployments/{id}}). */
    public static final String CANCELLED = "cancelled";
    /** A scheduled activation that a newer revision of its policy, scheduled or deployed, replaced. */
    public static final String SUPERSEDED = "superseded";

    /**
     * Whether the step closes its deployment for now: nothing of it is in flight after it, so a crash
     * leaves nothing to mark {@value #INTERRUPTED}.
     */
    public static boolean closes(String step) {
        return COMPLETED.equals(step) || FAILED.equals(step) || INTERRUPTED.equals(step) || SCHEDULED.equals(step)
                || CANCELLED.equals(step) || SUPERSEDED.equals(step);
    }

    /**
     * Not a deployment step: the service found a torn tail at start-up (after a crash), set it aside,
     * and continues the chain from the last good record. Its {@code source} is {@code service}.
     */
    public static final String LOG_RECOVERED = "log-recovered";

    private AuditStep() {
    }
}
