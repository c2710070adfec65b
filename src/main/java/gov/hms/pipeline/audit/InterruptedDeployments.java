package gov.hms.pipeline.audit;

/**
 * What the rest of the service knows about a deployment a crash cut off, asked once at start-up
 * while the audit log writes that deployment's {@value AuditStep#INTERRUPTED} record (the deployment
 * ledger answers: docs/operations.md, "Crash in the middle of a deployment").
 */
public interface InterruptedDeployments {

    /**
     * Marks the deployment interrupted in its own store and says what it knows, for the record's detail.
     *
     * @param deploymentId the deployment that has no final record
     * @return e.g. {@code "targets that got the package: live (HTTP 201)"}, never {@code null}
     */
    String interrupted(String deploymentId);
}
