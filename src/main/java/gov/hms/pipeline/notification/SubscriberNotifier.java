package gov.hms.pipeline.notification;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.NotificationOutcome;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.metrics.PipelineMetrics;
import gov.hms.pipeline.delivery.HttpEndpoints;
import gov.hms.pipeline.delivery.TargetDelivery;
import gov.hms.pipeline.packaging.PolicyPackage;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The sync step: tells every enabled subscriber about a deployment with a CloudEvents 1.0
 * structured-mode event ({@code application/cloudevents+json}, CloudEvents spec section 3 and the
 * JSON event format). With a secret, the request is signed per Standard Webhooks.
 * The HTTP call is camel-http in the {@code notify-subscriber} route.
 */
@ApplicationScoped
@Named("subscriberNotifier")
public class SubscriberNotifier {

    public static final String EVENT_TYPE = "gov.hms.policy.deployed";
    public static final String CONTENT_TYPE = "application/cloudevents+json";

    /** Exchange property: the {@link NotificationSubscriber} of the current split exchange. */
    public static final String SUBSCRIBER = "subscriber";
    /** Exchange property: the endpoint URI the current event goes to. */
    public static final String ENDPOINT_URI = "subscriberEndpointUri";
    /** Exchange property: the {@link NotificationOutcome} of the current subscriber, for the audit. */
    public static final String OUTCOME = "notificationOutcome";

    private final PipelineConfig config;
    private final PipelineMetrics metrics;
    private final ObjectMapper mapper = new ObjectMapper();

    public SubscriberNotifier(PipelineConfig config, PipelineMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** @return the enabled subscribers, ordered by name */
    public List<NotificationSubscriber> enabledSubscribers() {
        List<NotificationSubscriber> subscribers = new ArrayList<>();
        for (Map.Entry<String, PipelineConfig.Subscriber> entry : config.subscribers().entrySet()) {
            PipelineConfig.Subscriber subscriber = entry.getValue();
            if (subscriber.enabled()) {
                subscribers.add(new NotificationSubscriber(entry.getKey(), subscriber.url(), subscriber.secret(),
                        HttpEndpoints.post(subscriber.url(), subscriber.authUsername(), subscriber.authPassword())));
            }
        }
        subscribers.sort(Comparator.comparing(NotificationSubscriber::name));
        return subscribers;
    }

    /**
     * Turns the split exchange (body: a {@link NotificationSubscriber}) into its request: the body
     * becomes the CloudEvent and the only headers are {@code Content-Type} and, with a secret, the
     * three Standard Webhooks headers.
     */
    public void prepareEvent(Exchange exchange) {
        NotificationSubscriber subscriber = exchange.getMessage().getBody(NotificationSubscriber.class);
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        byte[] event = cloudEvent(deployment);
        exchange.setProperty(SUBSCRIBER, subscriber);
        exchange.setProperty(ENDPOINT_URI, subscriber.endpointUri());
        var message = exchange.getMessage();
        message.getHeaders().clear();
        message.setBody(event);
        message.setHeader(Exchange.CONTENT_TYPE, CONTENT_TYPE);
        subscriber.secret().ifPresent(secret -> {
            String messageId = "msg_" + deployment.id();
            long timestamp = Instant.now().getEpochSecond();
            message.setHeader(StandardWebhooks.ID_HEADER, messageId);
            message.setHeader(StandardWebhooks.TIMESTAMP_HEADER, Long.toString(timestamp));
            message.setHeader(StandardWebhooks.SIGNATURE_HEADER, StandardWebhooks.sign(secret, messageId, timestamp, event));
        });
    }

    /**
     * The event: {@code id} is the deployment id (one occurrence, the same for every subscriber),
     * {@code subject} the policy id, {@code data} {@code {policyId, version, deploymentId,
     * packageSha256, targets}}.
     */
    byte[] cloudEvent(Deployment deployment) {
        ObjectNode event = mapper.createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", deployment.id());
        event.put("source", "/policy-pipeline/" + config.audit().instance());
        event.put("type", EVENT_TYPE);
        event.put("subject", deployment.policyId());
        event.put("time", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        event.put("datacontenttype", "application/json");
        ObjectNode data = event.putObject("data");
        data.put("policyId", deployment.policyId());
        data.put("version", deployment.version());
        data.put("deploymentId", deployment.id());
        PolicyPackage jsonPackage = deployment.packageIn(PolicyPackage.JSON);
        data.put("packageSha256", jsonPackage == null ? null : jsonPackage.sha256());
        data.put("policySha256", deployment.policySha256());
        ArrayNode targets = data.putArray("targets");
        deployment.deliveries().stream().filter(DeliveryOutcome::delivered).map(DeliveryOutcome::target).forEach(targets::add);
        try {
            return mapper.writeValueAsBytes(event);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records that the current subscriber took the event. */
    public void notified(Exchange exchange) {
        NotificationSubscriber subscriber = exchange.getProperty(SUBSCRIBER, NotificationSubscriber.class);
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        NotificationOutcome outcome = new NotificationOutcome(subscriber.name(), NotificationOutcome.NOTIFIED, status, null);
        deployment.addNotification(outcome);
        exchange.setProperty(OUTCOME, outcome);
        Log.infof("deployment %s: subscriber %s notified (HTTP %s)", deployment.id(), subscriber.name(), status);
    }

    /** Records that the current subscriber could not be told; it never fails the deployment. */
    public void failed(Exchange exchange) {
        NotificationSubscriber subscriber = exchange.getProperty(SUBSCRIBER, NotificationSubscriber.class);
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Integer status = cause instanceof HttpOperationFailedException http ? http.getStatusCode() : null;
        NotificationOutcome outcome = new NotificationOutcome(subscriber == null ? "?" : subscriber.name(),
                NotificationOutcome.FAILED, status, TargetDelivery.describeFailure(cause));
        deployment.addNotification(outcome);
        exchange.setProperty(OUTCOME, outcome);
        metrics.notificationFailed(outcome.subscriber());
        Log.warnf("deployment %s: subscriber %s not notified: %s", deployment.id(), outcome.subscriber(), outcome.error());
    }
}
