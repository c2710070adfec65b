package gov.hms.pipeline.ledger;

import java.time.Instant;

/**
 * Not a failure: the deployment was validated, packaged and stored, and goes live at its
 * {@code activateAt} (docs/scheduling.md). Thrown by {@link ScheduledActivations#scheduleIfLater}
 * so the deploy route leaves its delivering path for {@code direct:deployment-scheduled} (as
 * {@link UnchangedPolicyException} leaves it for {@code direct:deployment-duplicate}).
 */
public class DeploymentScheduledException extends RuntimeException {

    private final Instant activateAt;

    public DeploymentScheduledException(String policyId, int revision, Instant activateAt) {
        super("revision " + revision + " of policy " + policyId + " is scheduled for " + activateAt, null, false, false);
        this.activateAt = activateAt;
    }

    public Instant activateAt() {
        return activateAt;
    }
}
