package gov.hms.pipeline.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.ledger.LedgerRecords.DeploymentRecord;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * {@code GET /api/deployments/{id}}: the deployment as the ledger knows it, also before its
 * admission (docs/scheduling.md). {@code status} moves {@code received} → {@code delivering} →
 * {@code completed}/{@code failed}/{@code unchanged} for every deployment ({@code interrupted}
 * after a crash); a scheduled one is {@code scheduled} (then {@code activating} while an instance
 * starts it), or ends {@code cancelled} or {@code superseded}. Per-target rows appear as each
 * target's outcome is recorded.
 *
 * @param deployment the deployment's record (its fields, unwrapped)
 * @param schedule   for a scheduled activation: when, how late it began, what ended it
 * @param result     for a {@code Prefer: respond-async} request that ended: the answer a synchronous caller got
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentProgress(@JsonUnwrapped DeploymentRecord deployment, Schedule schedule,
        @Schema(implementation = Object.class, description = "the DeploymentResult a synchronous request would have been answered with")
        JsonNode result) {

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * @param admitted  the deployment's row, once admitted (or refused after validation)
     * @param request   its asynchronous or scheduled request, if it had one
     * @param tolerance how late an activation may begin before it is marked {@code late}
     * @return empty if the ledger knows neither
     */
    public static java.util.Optional<DeploymentProgress> of(java.util.Optional<DeploymentRecord> admitted,
            java.util.Optional<DeploymentRequests.RequestRow> request, java.time.Duration tolerance) {
        if (admitted.isEmpty() && request.isEmpty()) {
            return java.util.Optional.empty();
        }
        JsonNode result = request.map(DeploymentRequests.RequestRow::result).map(DeploymentProgress::readTree).orElse(null);
        Schedule schedule = request.filter(r -> r.activateAt() != null).map(r -> new Schedule(r.kind(), r.activateAt(), r.status(),
                r.activatedAt(), r.lateMillis(), r.lateMillis() == null ? null : r.lateMillis() > tolerance.toMillis(),
                r.note())).orElse(null);
        if (admitted.isPresent()) {
            return java.util.Optional.of(new DeploymentProgress(admitted.get(), schedule, result));
        }
        DeploymentRequests.RequestRow r = request.get();
        String status = switch (r.status()) {
            case DeploymentRequests.ANSWERED -> result != null && "success".equals(result.path("status").asText())
                    ? LedgerSteps.COMPLETED : LedgerSteps.FAILED;
            case DeploymentRequests.ACTIVATED -> LedgerSteps.DELIVERING;
            default -> r.status();
        };
        String error = result == null ? null : result.path("error").asText(null);
        return java.util.Optional.of(new DeploymentProgress(new DeploymentRecord(r.deploymentId(), r.policyId(),
                r.revision(), r.version(), status, r.source(), r.actor(), r.origin(), null, r.intentKey(), null, null,
                error, r.createdAt(), null, java.util.List.of(), null), schedule, result));
    }

    private static JsonNode readTree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A scheduled activation.
     *
     * @param kind        {@code activation}, or {@code withdrawal} (at the live revision's {@code expiresAt})
     * @param activateAt  the instant the policy's {@code activateAt} (or {@code expiresAt}) names (RFC 3339, UTC)
     * @param status      {@code scheduled}, {@code activating}, {@code activated}, {@code cancelled} or {@code superseded}
     * @param activatedAt when an instance began it
     * @param lateMillis  how long after {@code activateAt} it began, in milliseconds
     * @param late        whether that exceeds {@code pipeline.scheduling.tolerance} (e.g. it was due while the service was down)
     * @param note        who cancelled it and why, or what superseded it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Schedule(String kind, String activateAt, String status, String activatedAt, Long lateMillis, Boolean late,
            String note) {
    }
}
