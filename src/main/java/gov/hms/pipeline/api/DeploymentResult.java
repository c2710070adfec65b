package gov.hms.pipeline.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import gov.hms.pipeline.validation.ValidationError;
import java.util.List;

/**
 * The answer to one deployment: the seed's {@code result.status} in Java, and the JSON body of
 * every HTTP answer of {@code POST /api/policies} (see CONTRACT.md, "HTTP").
 *
 * @param status        {@code success} or {@code failure}; {@code scheduled} (202, delivered later) or {@code accepted} (202, asynchronous)
 * @param error         why it failed ({@code null} on success), e.g. {@code Validation failed}
 * @param errors        validation errors, each with a JSON Pointer (RFC 6901) path; {@code null} when none
 * @param deploymentId  this attempt's id (a UUID); also the audit log's {@code deploymentId}
 * @param policyId      the policy's {@code id}, once known to be safe
 * @param policySha256  SHA-256 (hex) of the policy's RFC 8785 canonical JSON: the {@code Idempotency-Key}
 * @param packageSha256 SHA-256 (hex) of the JSON package bytes as delivered
 * @param deliveries    one entry per enabled target that was tried, by target name (summarised in {@link #counts()})
 * @param notifications one entry per enabled subscriber that was told
 * @param dryRun        {@code true} when nothing was delivered on purpose ({@code null} otherwise)
 * @param targets       on a dry run, the targets that would have received the package
 * @param httpStatus    the HTTP status this result is answered with (not part of the JSON body)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentResult(
        String status,
        String error,
        List<ValidationError> errors,
        String deploymentId,
        String policyId,
        String policySha256,
        String packageSha256,
        List<DeliveryOutcome> deliveries,
        List<NotificationOutcome> notifications,
        Boolean dryRun,
        List<String> targets,
        @JsonIgnore int httpStatus) {

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    /**
     * Validated, packaged and stored; delivered at its {@code activateAt} (HTTP 202, docs/scheduling.md).
     * A success for every source: the inbox files it as done, the queue acknowledges it.
     */
    public static final String SCHEDULED = "scheduled";
    /** Taken for asynchronous processing ({@code Prefer: respond-async}, HTTP 202); the outcome is polled. */
    public static final String ACCEPTED = "accepted";

    /** A failure that names no deployment (it never got that far). */
    public static DeploymentResult failure(int httpStatus, String error) {
        return new DeploymentResult(FAILURE, error, null, null, null, null, null, null, null, null, null, httpStatus);
    }

    /** The same result as a failure with another status and error (what it names stays). */
    public DeploymentResult failedWith(int newStatus, String newError) {
        return new DeploymentResult(FAILURE, newError, errors, deploymentId, policyId, policySha256, packageSha256,
                deliveries, notifications, dryRun, targets, newStatus);
    }

    /**
     * The summary of {@code deliveries} (JSON {@code counts}): targets tried, delivered, failed;
     * {@code null} when none was tried.
     */
    @com.fasterxml.jackson.annotation.JsonProperty("counts")
    public DeliveryCounts counts() {
        return deliveries == null || deliveries.isEmpty() ? null
                : DeliveryCounts.of(deliveries.stream().map(DeliveryOutcome::status).toList());
    }

    @JsonIgnore
    public boolean succeeded() {
        return SUCCESS.equals(status) || SCHEDULED.equals(status);
    }
}
