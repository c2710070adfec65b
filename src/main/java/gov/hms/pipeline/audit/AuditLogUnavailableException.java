package gov.hms.pipeline.audit;

/**
 * The audit log cannot take records now (its folder is below the free-space floor, a write or
 * fsync failed, or it is closed). Nothing that a record would announce may happen: the deployment
 * fails before any delivery and the caller is answered 503 (docs/operations.md, "Audit disk full").
 */
public class AuditLogUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** @param reason why, naming the file or folder (it becomes the caller's {@code error}) */
    public AuditLogUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
