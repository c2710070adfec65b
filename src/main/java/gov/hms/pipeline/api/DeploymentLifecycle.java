package gov.hms.pipeline.api;

import gov.hms.pipeline.audit.AuditLogUnavailableException;
import gov.hms.pipeline.delivery.DeliveryFailedException;
import gov.hms.pipeline.delivery.DeliveryTarget;
import gov.hms.pipeline.delivery.TargetDelivery;
import gov.hms.pipeline.metrics.PipelineMetrics;
import gov.hms.pipeline.packaging.PolicyPackage;
import gov.hms.pipeline.validation.PolicyRejectedException;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * Beginning and end of every deployment, whatever its source: checks that the ingress route
 * described the caller, and turns the outcome into the one {@link DeploymentResult} the caller
 * is answered with.
 */
@ApplicationScoped
@Named("deploymentLifecycle")
public class DeploymentLifecycle {

    /** MDC key holding the deployment id while a deployment runs. */
    public static final String MDC_KEY = "deploymentId";

    private final TargetDelivery targetDelivery;
    private final PipelineMetrics metrics;

    public DeploymentLifecycle(TargetDelivery targetDelivery, PipelineMetrics metrics) {
        this.targetDelivery = targetDelivery;
        this.metrics = metrics;
    }

    /** Counts the deployment's end and takes its id out of this thread's MDC, which is pooled. */
    private void count(Deployment deployment, String outcome) {
        org.jboss.logging.MDC.remove(MDC_KEY);
        if (deployment != null) {
            metrics.deploymentEnded(deployment.source().label(), outcome,
                    java.time.Duration.ofNanos(System.nanoTime() - deployment.startedNanos()));
        }
    }

    /**
     * @throws IllegalStateException if the ingress route did not set the {@value Deployment#PROPERTY} property
     */
    public void begin(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        if (deployment == null) {
            throw new IllegalStateException("an ingress route must set the '" + Deployment.PROPERTY
                    + "' property before entering direct:deploy");
        }
        // Every log line of this deployment carries its id (JSON logs show it as a field).
        org.jboss.logging.MDC.put(MDC_KEY, deployment.id());
        Log.infof("deployment %s: policy received via %s from %s (actor %s)", deployment.id(),
                deployment.source().label(), deployment.origin(), deployment.actor());
    }

    /** Body becomes the success result (HTTP 200). */
    public DeploymentResult succeed(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        PolicyPackage jsonPackage = deployment.packageIn(PolicyPackage.JSON);
        Log.infof("deployment %s: policy %s completed in %d ms", deployment.id(), deployment.policyId(),
                (System.nanoTime() - deployment.startedNanos()) / 1_000_000);
        count(deployment, "success");
        return new DeploymentResult(DeploymentResult.SUCCESS, null, null, deployment.id(), deployment.policyId(),
                deployment.policySha256(), jsonPackage == null ? null : jsonPackage.sha256(),
                deployment.deliveries(), deployment.notifications(), null, null, 200);
    }

    /**
     * Body becomes the dry-run result (HTTP 200): validated and packaged, nothing delivered; names
     * the package and the targets that would receive it.
     */
    public DeploymentResult dryRun(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        List<DeliveryTarget> targets = targetDelivery.enabledTargets(deployment);
        PolicyPackage jsonPackage = deployment.packageIn(PolicyPackage.JSON);
        Log.infof("deployment %s: dry run of policy %s: valid, nothing delivered", deployment.id(), deployment.policyId());
        count(deployment, "dry-run");
        return new DeploymentResult(DeploymentResult.SUCCESS, null, null, deployment.id(), deployment.policyId(),
                deployment.policySha256(), jsonPackage == null ? null : jsonPackage.sha256(), List.of(), List.of(),
                true, targets.stream().map(DeliveryTarget::name).toList(), 200);
    }

    /**
     * Body becomes the failure result for the caught exception: the rejection's own status
     * (400/413/415/422), 502 when a target did not take the package, 503 when the audit log cannot
     * record it (nothing was delivered: write-ahead), else 500 without internals.
     */
    public DeploymentResult fail(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        int status;
        String error;
        List<gov.hms.pipeline.validation.ValidationError> errors = null;
        if (cause instanceof PolicyRejectedException rejected) {
            status = rejected.httpStatus();
            error = rejected.getMessage();
            errors = rejected.errors().isEmpty() ? null : rejected.errors();
        } else if (cause instanceof DeliveryFailedException) {
            status = 502;
            error = cause.getMessage();
        } else if (cause instanceof AuditLogUnavailableException) {
            status = 503;
            error = unrecordable(cause, deployment);
        } else {
            status = 500;
            error = "Internal error; see the service log for deployment " + (deployment == null ? "?" : deployment.id());
            Log.errorf(cause, "deployment %s: unexpected failure", deployment == null ? "?" : deployment.id());
        }
        count(deployment, "failure");
        if (deployment == null) {
            return new DeploymentResult(DeploymentResult.FAILURE, error, errors, null, null, null, null, null, null,
                    null, null, status);
        }
        PolicyPackage jsonPackage = deployment.packageIn(PolicyPackage.JSON);
        Log.warnf("deployment %s: failed (%d): %s", deployment.id(), status, error);
        return new DeploymentResult(DeploymentResult.FAILURE, error, errors, deployment.id(), deployment.policyId(),
                deployment.policySha256(), jsonPackage == null ? null : jsonPackage.sha256(),
                deployment.deliveries().isEmpty() ? null : deployment.deliveries(),
                deployment.notifications().isEmpty() ? null : deployment.notifications(),
                deployment.dryRun() ? Boolean.TRUE : null, null, status);
    }

    /**
     * The failure's own record could not be written either: a rejection keeps its 4xx (the caller's
     * input is still wrong) with a note; anything else becomes 503 naming the audit log's problem.
     */
    public DeploymentResult unrecorded(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        DeploymentResult result = exchange.getMessage().getBody(DeploymentResult.class);
        if (result != null && result.httpStatus() >= 400 && result.httpStatus() < 500) {
            return result.failedWith(result.httpStatus(), result.error() + " (not recorded: " + cause.getMessage() + ")");
        }
        String error = unrecordable(cause, deployment);
        return result == null ? DeploymentResult.failure(503, error) : result.failedWith(503, error);
    }

    private static String unrecordable(Exception cause, Deployment deployment) {
        boolean delivered = deployment != null && !deployment.deliveries().isEmpty();
        return cause.getMessage() + (delivered ? "; the deliveries listed were made, but the deployment's end is not recorded"
                : "; nothing was delivered") + ". Retry later";
    }
}
