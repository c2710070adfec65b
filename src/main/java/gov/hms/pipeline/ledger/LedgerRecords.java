package gov.hms.pipeline.ledger;

import com.fasterxml.jackson.annotation.JsonInclude;
import gov.hms.pipeline.api.DeliveryCounts;
import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.api.NotificationOutcome;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The shapes the ledger answers with (docs/ledger.md, CONTRACT.md "Deployment ledger"). Times are
 * RFC 3339 UTC strings with milliseconds; SHA-256 values are lower-case hex.
 */
public final class LedgerRecords {

    private LedgerRecords() {
    }

    /**
     * What is live where for one policy.
     *
     * @param revision      the revision the policy should be live at (its latest deployment's); {@code null}
     *                      while nothing of it is live yet (its first version is only scheduled)
     * @param version       that revision's {@code version} label, or {@code null}
     * @param policySha256  SHA-256 of that revision's RFC 8785 canonical JSON ({@code null} with no revision)
     * @param packageSha256 SHA-256 of its JSON package ({@code null} with no revision)
     * @param targets       every enabled target, and any other target that ever received it
     * @param scheduled     its activations still to come (docs/scheduling.md), soonest first
     * @param withdrawn     whether the current revision is the policy's tombstone (it was withdrawn)
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PolicyStatus(String policyId, @Schema(nullable = true) Integer revision, @Schema(nullable = true) String version,
            @Schema(nullable = true) String policySha256, @Schema(nullable = true) String packageSha256,
            List<TargetStatus> targets, List<ScheduledRevision> scheduled, boolean withdrawn) {
    }

    /**
     * An activation of a policy still to come.
     *
     * @param activateAt when it goes live (RFC 3339, UTC)
     * @param status     {@code scheduled}, or {@code activating} while an instance starts it
     * @param kind       {@code activation} (the revision goes live), or {@code withdrawal} (the live revision's
     *                   {@code expiresAt}: it is withdrawn)
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ScheduledRevision(String deploymentId, int revision, @Schema(nullable = true) String version,
            String activateAt, String status, String kind) {
    }

    /**
     * One target of a policy.
     *
     * @param revision      the revision the target last accepted, {@code null} if none
     * @param packageSha256 SHA-256 of the package bytes it accepted
     * @param deliveredAt   when it accepted them
     * @param inSync        whether it has the policy's current revision
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record TargetStatus(String target, @Schema(nullable = true) Integer revision,
            @Schema(nullable = true) String version, @Schema(nullable = true) String packageSha256,
            @Schema(nullable = true) String deliveredAt, boolean inSync) {
    }

    /** One revision of a policy, as listed by {@code GET /api/policies/{id}/versions}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PolicyVersion(int revision, @Schema(nullable = true) String version, String policySha256, String packageSha256,
            String deploymentId, String deployedAt, String actor, String source) {
    }

    /** A page of the catalogue and the cursor of the next page ({@code null} on the last). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PolicyPage(List<PolicyStatus> items, @Schema(nullable = true) String next) {
    }

    /** A page of deployments, newest first, and the cursor of the next page ({@code null} on the last). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record DeploymentPage(List<DeploymentRecord> items, @Schema(nullable = true) String next) {
    }

    /**
     * A page of deployments the ledger knows only by their request ({@code received}, {@code scheduled},
     * {@code activating}, {@code cancelled}, {@code superseded}), newest first, each with its schedule.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record RequestPage(List<DeploymentProgress> items, @Schema(nullable = true) String next) {
    }

    /** A policy's revisions, newest first. */
    public record VersionList(List<PolicyVersion> items) {
    }

    /**
     * One deployment as the ledger knows it.
     *
     * @param status        {@code delivering}, {@code completed}, {@code unchanged} or {@code failed}
     * @param targets       what each target made of it (by target name; {@code GET /api/deployments/{id}}
     *                      lists only the failed ones of a deployment to more than
     *                      {@value #LISTED_TARGETS} targets unless asked for {@code ?deliveries=all})
     * @param notifications the subscribers' outcomes as answered to the caller ({@code null} while running)
     * @param counts        the summary of every target's outcome so far ({@code null} before the first)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeploymentRecord(String deploymentId, String policyId, Integer revision, String version,
            String status, String source, String actor, String origin, String reason, String idempotencyKey,
            String policySha256, String packageSha256, String error, String startedAt, String endedAt,
            List<DeliveryRecord> targets, List<NotificationOutcome> notifications, DeliveryCounts counts) {

        /** Without {@code counts}, which {@link #counted()} derives from {@code targets}. */
        public DeploymentRecord(String deploymentId, String policyId, Integer revision, String version,
                String status, String source, String actor, String origin, String reason, String idempotencyKey,
                String policySha256, String packageSha256, String error, String startedAt, String endedAt,
                List<DeliveryRecord> targets, List<NotificationOutcome> notifications) {
            this(deploymentId, policyId, revision, version, status, source, actor, origin, reason, idempotencyKey,
                    policySha256, packageSha256, error, startedAt, endedAt, targets, notifications, null);
        }

        /** @return this record with {@code counts} summarising {@code targets} */
        public DeploymentRecord counted() {
            return listing(targets, targets == null || targets.isEmpty() ? null
                    : DeliveryCounts.of(targets.stream().map(DeliveryRecord::status).toList()));
        }

        /** @return this record listing only the targets that did not take the package (counts unchanged) */
        public DeploymentRecord failedOnly() {
            return listing(targets == null ? null
                    : targets.stream().filter(t -> !DeliveryOutcome.DELIVERED.equals(t.status())).toList(), counts);
        }

        private DeploymentRecord listing(List<DeliveryRecord> listed, DeliveryCounts summary) {
            return new DeploymentRecord(deploymentId, policyId, revision, version, status, source, actor, origin, reason,
                    idempotencyKey, policySha256, packageSha256, error, startedAt, endedAt, listed, notifications, summary);
        }
    }

    /** Targets a deployment record lists by default; above it, only the failed ones (and the counts). */
    public static final int LISTED_TARGETS = 100;

    /** What one target made of one deployment. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeliveryRecord(String target, String status, Integer httpStatus, int attempts,
            String packageSha256, String error, String endedAt) {
    }

    /** The current state of a policy as admission reads it. */
    record CurrentPolicy(int revision, String idempotencyKey) {
    }

    /** A stored revision as admission reads it. */
    record StoredVersion(int revision, String version, String policySha256) {
    }
}
