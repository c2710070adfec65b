package gov.hms.pipeline.audit;

/**
 * One audit event before it is chained: an immutable snapshot taken on the deploying thread, so
 * later changes to the exchange cannot alter what the log says (CONTRACT.md, "Audit log").
 *
 * @param time          RFC 3339 UTC with milliseconds
 * @param deploymentId  the deployment this event belongs to; {@code null} for the service's own events
 * @param policyId      the policy id once validated, else {@code null}
 * @param step          one of the contract's steps ({@code received} … {@code failed}), or a service event
 *                      ({@link AuditStep#LOG_RECOVERED})
 * @param outcome       {@code ok} or {@code error}
 * @param source        {@code http}, {@code file}, {@code queue} or {@code api}; {@code service} for the
 *                      service's own events
 * @param actor         who sent the policy; {@code system} for the service's own events
 * @param detail        what happened, for a person; never a secret
 * @param version       the policy's version, if any
 * @param packageSha256 SHA-256 of the JSON package, once packaged
 * @param routeId       the Camel route the deployment entered by
 * @param origin        where exactly the policy came from: client address, file path or queue name
 * @param approvedBy    the policy's {@code approval.approvedBy}, once validated, if it has one
 */
public record AuditRecord(
        String time,
        String deploymentId,
        String policyId,
        String step,
        String outcome,
        String source,
        String actor,
        String detail,
        String version,
        String packageSha256,
        String routeId,
        String origin,
        String approvedBy) {

    public static final String OK = "ok";
    public static final String ERROR = "error";

    /**
     * Whether this is the one record that ends a deployment ({@code completed} or {@code failed}), or
     * closes it for now ({@code scheduled}, {@code cancelled}, {@code superseded}: {@link AuditStep#closes}).
     */
    public boolean isFinal() {
        return AuditStep.closes(step) && !AuditStep.INTERRUPTED.equals(step);
    }
}
