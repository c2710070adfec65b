package gov.hms.pipeline.audit;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.api.NotificationOutcome;
import gov.hms.pipeline.delivery.DeliveryTarget;
import gov.hms.pipeline.delivery.TargetDelivery;
import gov.hms.pipeline.ledger.UnchangedPolicyException;
import gov.hms.pipeline.notification.SubscriberNotifier;
import gov.hms.pipeline.packaging.PolicyPackage;
import gov.hms.pipeline.validation.PolicyRejectedException;
import gov.hms.pipeline.validation.ValidationError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The wire tap's {@code onPrepare}: runs on the deploying thread before the tap is handed to its
 * own thread and replaces the tapped copy's body with an immutable {@link AuditRecord}. The tap
 * thread then only appends it; nothing it writes can be changed by the main route afterwards.
 */
@ApplicationScoped
@Named("auditSnapshot")
public class AuditSnapshot implements Processor {

    /** Exchange property: the detail of a record whose step has no case below (e.g. {@code dead-letter-discarded}). */
    public static final String DETAIL_PROPERTY = "auditDetail";
    /** Exchange property: the outcome ({@code ok}/{@code error}) of such a record; {@code ok} if unset. */
    public static final String OUTCOME_PROPERTY = "auditOutcome";

    @Override
    public void process(Exchange tapped) {
        tapped.getMessage().setBody(snapshot(tapped));
        tapped.getMessage().getHeaders().clear();
    }

    AuditRecord snapshot(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        String step = exchange.getProperty(AuditStep.PROPERTY, String.class);
        PolicyPackage jsonPackage = deployment.packageIn(PolicyPackage.JSON);
        String outcome = AuditRecord.OK;
        String detail;
        switch (step) {
            case AuditStep.RECEIVED -> detail = "policy received via " + deployment.source().label()
                    + (deployment.origin() == null ? "" : " from " + deployment.origin());
            case AuditStep.VALIDATED -> detail = "policy " + deployment.policyId() + " is valid; "
                    + (deployment.signerKeyId() == null ? "unsigned" : "signature verified with key " + deployment.signerKeyId())
                    + (deployment.dryRun() ? "; dry run" : "");
            case AuditStep.PACKAGED -> detail = deployment.packages().isEmpty() ? "packaged"
                    : deployment.packages().stream().map(AuditSnapshot::describePackage).collect(Collectors.joining("; "))
                    + "; policy sha256=" + deployment.policySha256() + "; archived";
            case AuditStep.DELIVERED, AuditStep.DELIVERY_FAILED -> {
                DeliveryOutcome delivery = exchange.getProperty(TargetDelivery.OUTCOME, DeliveryOutcome.class);
                outcome = delivery != null && delivery.delivered() ? AuditRecord.OK : AuditRecord.ERROR;
                DeliveryTarget target = exchange.getProperty(TargetDelivery.TARGET, DeliveryTarget.class);
                PolicyPackage sent = target == null ? null : deployment.packageIn(target.format());
                detail = delivery == null ? "target unknown" : "target " + delivery.target() + ": "
                        + (delivery.delivered() ? "HTTP " + delivery.httpStatus() : delivery.error())
                        + " after " + delivery.attempts() + " attempt(s)"
                        + (sent == null ? "" : "; " + describePackage(sent));
            }
            case AuditStep.NOTIFIED, AuditStep.NOTIFY_FAILED -> {
                NotificationOutcome notification = exchange.getProperty(SubscriberNotifier.OUTCOME, NotificationOutcome.class);
                outcome = notification != null && NotificationOutcome.NOTIFIED.equals(notification.status())
                        ? AuditRecord.OK : AuditRecord.ERROR;
                detail = notification == null ? "subscriber unknown" : "subscriber " + notification.subscriber() + ": "
                        + (notification.error() == null ? "HTTP " + notification.httpStatus() : notification.error());
            }
            case AuditStep.DUPLICATE -> detail = "policy sha256=" + deployment.policySha256()
                    + " is already live at every enabled target; not delivered again";
            case AuditStep.REJECTED -> {
                outcome = AuditRecord.ERROR;
                detail = describeRejection(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
            }
            case AuditStep.COMPLETED, AuditStep.FAILED -> {
                DeploymentResult result = exchange.getMessage().getBody(DeploymentResult.class);
                outcome = result != null && result.succeeded() ? AuditRecord.OK : AuditRecord.ERROR;
                detail = result == null ? step
                        : UnchangedPolicyException.endedUnchanged(exchange)
                        ? "already live at every target; nothing delivered, nobody notified"
                        : describeResult(result);
            }
            default -> {
                detail = exchange.getProperty(DETAIL_PROPERTY, step, String.class);
                outcome = exchange.getProperty(OUTCOME_PROPERTY, AuditRecord.OK, String.class);
            }
        }
        return new AuditRecord(Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), deployment.id(),
                deployment.policyId(), step, outcome, deployment.source().label(), deployment.actor(), detail,
                deployment.version(), jsonPackage == null ? null : jsonPackage.sha256(), exchange.getFromRouteId(),
                deployment.origin(), approvedBy(deployment));
    }

    /** The approver named in a validated policy ({@code approval.approvedBy}), else {@code null}. */
    private static String approvedBy(Deployment deployment) {
        JsonNode approvedBy = deployment.policyId() == null || deployment.policy() == null ? null
                : deployment.policy().path("approval").path("approvedBy");
        return approvedBy != null && approvedBy.isTextual() && !approvedBy.asText().isBlank() ? approvedBy.asText() : null;
    }

    private static String describePackage(PolicyPackage policyPackage) {
        return policyPackage.format() + " package sha256=" + policyPackage.sha256() + " size=" + policyPackage.size()
                + " bytes";
    }

    private static String describeRejection(Exception cause) {
        if (cause instanceof PolicyRejectedException rejected) {
            String errors = rejected.errors().stream()
                    .map(ValidationError::path)
                    .map(path -> path.isEmpty() ? "(document)" : path)
                    .collect(Collectors.joining(", "));
            return rejected.getMessage() + (errors.isEmpty() ? "" : " at " + errors);
        }
        return cause == null ? "rejected" : cause.getClass().getSimpleName();
    }

    private static String describeResult(DeploymentResult result) {
        if (Boolean.TRUE.equals(result.dryRun())) {
            return "dry run: valid and packaged, nothing delivered (would deliver to " + result.targets() + ")";
        }
        if (result.succeeded()) {
            String targets = result.deliveries().stream().map(DeliveryOutcome::target).collect(Collectors.joining(", "));
            long notified = result.notifications().stream()
                    .filter(n -> NotificationOutcome.NOTIFIED.equals(n.status())).count();
            return "delivered to [" + targets + "]; notified " + notified + " of " + result.notifications().size()
                    + " subscriber(s)";
        }
        return "HTTP " + result.httpStatus() + ": " + result.error();
    }
}
