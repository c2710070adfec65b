package gov.hms.pipeline.inbox;

import gov.hms.pipeline.api.DeploymentResult;

/**
 * A file's deployment failed for a reason that may pass (a target down: 502; an internal error: 500)
 * and attempts are left. The inbox route lets it fail the exchange, so the file consumer leaves the
 * file in the inbox (no {@code moveFailed}); {@link InboxRetries} schedules the next attempt.
 */
public class InboxRetryException extends RuntimeException {

    public InboxRetryException(DeploymentResult result) {
        super("deployment " + result.deploymentId() + ": HTTP " + result.httpStatus() + ": " + result.error(),
                null, false, false);
    }
}
