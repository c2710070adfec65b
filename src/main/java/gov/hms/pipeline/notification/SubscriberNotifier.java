package gov.hms.pipeline.notification;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.NotificationOutcome;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.audit.AuditRecord;
import gov.hms.pipeline.audit.AuditSnapshot;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.metrics.PipelineMetrics;
import gov.hms.pipeline.delivery.HttpEndpoints;
import gov.hms.pipeline.delivery.TargetDelivery;
import gov.hms.pipeline.ledger.DeploymentLedger;
import gov.hms.pipeline.packaging.PolicyPackage;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The sync step: tells every enabled subscriber about a deployment with a CloudEvents 1.0
 * structured-mode event ({@code application/cloudevents+json}, CloudEvents spec section 3 and the
 * JSON event format). With a secret, each attempt is signed per Standard Webhooks
 * ({@code webhook-id} = {@code msg_<deploymentId>} on every attempt, a fresh {@code webhook-timestamp}).
 * <p>
 * Every notification is first written to the durable {@link NotificationOutbox}, then tried at
 * once in parallel ({@code notify-subscribers} route) while the caller waits at most
 * {@code pipeline.notification.timeout}; what is not taken by then is retried from the outbox
 * ({@code notification-outbox} route) on the retry schedule, also after a restart. A subscriber
 * that answers {@code 410 Gone} is disabled until restart, with a warning and an audit record.
 * The HTTP call itself is camel-http in the {@code notify-subscriber} route.
 */
@ApplicationScoped
@Named("subscriberNotifier")
public class SubscriberNotifier {

    public static final String EVENT_TYPE = "gov.hms.policy.deployed";
    /** The event type of a rollback: an archived version made live again by an operator. */
    public static final String ROLLBACK_EVENT_TYPE = "gov.hms.policy.rolled-back";
    /** The event type of a withdrawal: the policy's tombstone reached the targets (docs/scheduling.md). */
    public static final String WITHDRAWN_EVENT_TYPE = "gov.hms.policy.withdrawn";
    public static final String CONTENT_TYPE = "application/cloudevents+json";

    /** Exchange property: the {@link NotificationSubscriber} of the current attempt. */
    public static final String SUBSCRIBER = "subscriber";
    /** Exchange property: the {@link OutboxEntry} of the current attempt. */
    public static final String ENTRY = "outboxEntry";
    /** Exchange property: the endpoint URI the current event goes to. */
    public static final String ENDPOINT_URI = "subscriberEndpointUri";
    /** Exchange property: the {@link NotificationOutcome} of the current attempt, for the audit. */
    public static final String OUTCOME = "notificationOutcome";
    /** Exchange property: {@code true} when the current attempt disabled its subscriber (410 Gone). */
    public static final String DISABLED = "subscriberDisabled";
    /** Audit step of a subscriber disabled at run time. */
    public static final String DISABLED_STEP = "subscriber-disabled";

    private final PipelineConfig config;
    private final NotificationOutbox outbox;
    private final PipelineMetrics metrics;
    private final DeploymentLedger ledger;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Set<String> disabled = ConcurrentHashMap.newKeySet();

    public SubscriberNotifier(PipelineConfig config, NotificationOutbox outbox, PipelineMetrics metrics,
            DeploymentLedger ledger) {
        this.config = config;
        this.outbox = outbox;
        this.metrics = metrics;
        this.ledger = ledger;
    }

    /** @return the enabled subscribers (configured and not disabled by a 410), ordered by name */
    public List<NotificationSubscriber> enabledSubscribers() {
        List<NotificationSubscriber> subscribers = new ArrayList<>();
        for (Map.Entry<String, PipelineConfig.Subscriber> entry : config.subscribers().entrySet()) {
            PipelineConfig.Subscriber subscriber = entry.getValue();
            if (subscriber.enabled() && !disabled.contains(entry.getKey())) {
                PipelineConfig.Notification timeouts = config.notification();
                subscribers.add(new NotificationSubscriber(entry.getKey(), subscriber.url(), subscriber.secret(),
                        HttpEndpoints.post(subscriber.url(), timeouts.connectTimeout(), timeouts.responseTimeout(),
                                subscriber.authUsername(), subscriber.authPassword())));
            }
        }
        subscribers.sort(Comparator.comparing(NotificationSubscriber::name));
        return subscribers;
    }

    /**
     * Starts the deployment's notifications: one outbox entry per enabled subscriber, committed
     * (one transaction) before anything is sent, and the {@link NotificationRound} the split reports into.
     *
     * @throws IllegalStateException if the outbox cannot be written
     */
    public void openRound(Exchange exchange) {
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        String event = new String(cloudEvent(deployment), StandardCharsets.UTF_8);
        String now = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        List<OutboxEntry> entries = new ArrayList<>();
        for (NotificationSubscriber subscriber : enabledSubscribers()) {
            entries.add(new OutboxEntry(UUID.randomUUID().toString(), subscriber.name(), "msg_" + deployment.id(),
                    deployment.id(), deployment.policyId(), deployment.version(), deployment.source().name(),
                    deployment.actor(), event, now, 0, now, null));
        }
        outbox.enqueue(deployment.id(), entries);
        exchange.setProperty(NotificationRound.PROPERTY, new NotificationRound(deployment, entries));
    }

    /** The split of the first attempts: the round's entries. */
    public List<OutboxEntry> roundEntries(@ExchangeProperty(NotificationRound.PROPERTY) NotificationRound round) {
        return round.entries();
    }

    /**
     * After the split (all answered or the bound passed): the answer lists the rest as pending
     * (their outbox rows were committed before the first attempt).
     */
    public void closeRound(@ExchangeProperty(NotificationRound.PROPERTY) NotificationRound round) {
        round.close(config.notification().timeout());
    }

    /**
     * A retry from the outbox (body: an {@link OutboxEntry}, possibly from before a restart): the
     * deployment it belongs to, as far as the audit log needs it, under its original id.
     */
    public void resume(Exchange exchange) {
        OutboxEntry entry = exchange.getMessage().getBody(OutboxEntry.class);
        Source source = Arrays.stream(Source.values()).filter(s -> s.name().equals(entry.source())).findFirst().orElse(Source.API);
        Deployment deployment = new Deployment(entry.deploymentId(), source, entry.actor(), "notification outbox", null);
        deployment.identify(entry.policyId(), entry.version());
        exchange.setProperty(Deployment.PROPERTY, deployment);
    }

    /**
     * Turns an attempt (body: an {@link OutboxEntry}) into its request: the body becomes the
     * stored CloudEvent and the only headers are {@code Content-Type} and, with a secret, the three
     * Standard Webhooks headers (same {@code webhook-id}, timestamp and signature of this attempt).
     *
     * @throws SubscriberUnavailableException if the subscriber is disabled or no longer configured
     */
    public void prepareAttempt(Exchange exchange) {
        OutboxEntry entry = exchange.getMessage().getBody(OutboxEntry.class);
        exchange.setProperty(ENTRY, entry);
        NotificationSubscriber subscriber = enabledSubscribers().stream()
                .filter(s -> s.name().equals(entry.subscriber())).findFirst()
                .orElseThrow(() -> new SubscriberUnavailableException("subscriber " + entry.subscriber()
                        + (disabled.contains(entry.subscriber()) ? " was disabled (410 Gone)" : " is no longer configured or enabled")));
        byte[] event = entry.event().getBytes(StandardCharsets.UTF_8);
        exchange.setProperty(SUBSCRIBER, subscriber);
        exchange.setProperty(ENDPOINT_URI, subscriber.endpointUri());
        var message = exchange.getMessage();
        message.getHeaders().clear();
        message.setBody(event);
        message.setHeader(Exchange.CONTENT_TYPE, CONTENT_TYPE);
        subscriber.secret().ifPresent(secret -> {
            long timestamp = Instant.now().getEpochSecond();
            message.setHeader(StandardWebhooks.ID_HEADER, entry.webhookId());
            message.setHeader(StandardWebhooks.TIMESTAMP_HEADER, Long.toString(timestamp));
            message.setHeader(StandardWebhooks.SIGNATURE_HEADER, StandardWebhooks.sign(secret, entry.webhookId(), timestamp, event));
        });
    }

    /**
     * The event: {@code id} is the deployment id (one occurrence, the same for every subscriber),
     * {@code type} {@value #EVENT_TYPE} ({@value #ROLLBACK_EVENT_TYPE} for a rollback, {@value #WITHDRAWN_EVENT_TYPE} for a withdrawal), {@code subject}
     * the policy id, {@code data} {@code {policyId, version, deploymentId, revision, packageSha256,
     * policySha256, targets, notReached}} ({@code revision}: the ledger's, docs/ledger.md; {@code targets}
     * the targets that took the package, {@code notReached} those given up, by name; for a round a crash
     * cut off, {@code targets} names the targets that took the package in the deployment it carries on).
     */
    byte[] cloudEvent(Deployment deployment) {
        ObjectNode event = mapper.createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", deployment.id());
        event.put("source", "/policy-pipeline/" + config.audit().instance());
        event.put("type", deployment.source() == gov.hms.pipeline.api.Source.ROLLBACK ? ROLLBACK_EVENT_TYPE
                : deployment.withdrawal() ? WITHDRAWN_EVENT_TYPE : EVENT_TYPE);
        event.put("subject", deployment.policyId());
        event.put("time", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        event.put("datacontenttype", "application/json");
        ObjectNode data = event.putObject("data");
        data.put("policyId", deployment.policyId());
        data.put("version", deployment.version());
        data.put("deploymentId", deployment.id());
        if (deployment.revision() != null) {
            data.put("revision", deployment.revision());
        }
        PolicyPackage jsonPackage = deployment.packageIn(PolicyPackage.JSON);
        data.put("packageSha256", jsonPackage == null ? null : jsonPackage.sha256());
        data.put("policySha256", deployment.policySha256());
        if (deployment.withdrawal()) {
            data.put("withdrawn", true);
            data.put("reason", deployment.reason());
        }
        ArrayNode targets = data.putArray("targets");
        deployment.deliveries().stream().filter(DeliveryOutcome::delivered).map(DeliveryOutcome::target).forEach(targets::add);
        deployment.owedNotificationTargets().forEach(targets::add);
        // A deployment that some targets did not take is announced too, once, naming them.
        ArrayNode notReached = data.putArray("notReached");
        deployment.deliveries().stream().filter(d -> !d.delivered()).map(DeliveryOutcome::target).forEach(notReached::add);
        try {
            return mapper.writeValueAsBytes(event);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The subscriber took the event: the outbox entry goes. */
    public void notified(Exchange exchange) {
        OutboxEntry entry = exchange.getProperty(ENTRY, OutboxEntry.class);
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        outbox.delivered(entry);
        NotificationOutcome outcome = new NotificationOutcome(entry.subscriber(), NotificationOutcome.NOTIFIED, status, null);
        report(exchange, outcome);
        Log.infof("deployment %s: subscriber %s notified (HTTP %s, attempt %d)", entry.deploymentId(), entry.subscriber(),
                status, entry.attempts() + 1);
    }

    /**
     * The attempt failed; it never fails the deployment. {@code 410 Gone} disables the subscriber
     * and drops the entry; an unavailable subscriber drops it; anything else is retried from the
     * outbox on the schedule, or given up when that is used up.
     */
    public void failed(Exchange exchange) {
        OutboxEntry entry = exchange.getProperty(ENTRY, OutboxEntry.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (entry == null) {
            Log.errorf(cause, "a notification attempt failed before it had an outbox entry");
            return;
        }
        Integer status = cause instanceof HttpOperationFailedException http ? http.getStatusCode() : null;
        String description = TargetDelivery.describeFailure(cause);
        int attempt = entry.attempts() + 1;
        NotificationOutcome outcome;
        if (cause instanceof SubscriberUnavailableException) {
            outbox.abandon(entry, cause.getMessage());
            outcome = new NotificationOutcome(entry.subscriber(), NotificationOutcome.FAILED, null,
                    cause.getMessage() + "; notification dropped");
        } else if (status != null && status == 410) {
            disabled.add(entry.subscriber());
            outbox.abandon(entry, "410 Gone");
            outcome = new NotificationOutcome(entry.subscriber(), NotificationOutcome.FAILED, status,
                    description + "; subscriber disabled until restart");
            exchange.setProperty(DISABLED, true);
            exchange.setProperty(AuditSnapshot.DETAIL_PROPERTY, "subscriber " + entry.subscriber()
                    + " answered 410 Gone: disabled until restart; its pending notifications are dropped");
            exchange.setProperty(AuditSnapshot.OUTCOME_PROPERTY, AuditRecord.ERROR);
            Log.warnf("subscriber %s answered 410 Gone: disabled until restart (re-enable by configuration and restart)",
                    entry.subscriber());
        } else {
            Optional<Duration> next = outbox.failed(entry, description);
            outcome = next.map(wait -> new NotificationOutcome(entry.subscriber(), NotificationOutcome.PENDING, status,
                            description + "; attempt " + attempt + " of " + outbox.maxAttempts() + ", next in "
                                    + wait.toMillis() + " ms (from the outbox)"))
                    .orElseGet(() -> new NotificationOutcome(entry.subscriber(), NotificationOutcome.FAILED, status,
                            description + "; given up after " + attempt + " attempts"));
        }
        report(exchange, outcome);
        metrics.notificationFailed(outcome.subscriber());
        Log.warnf("deployment %s: subscriber %s not notified: %s", entry.deploymentId(), entry.subscriber(), outcome.error());
    }

    /**
     * An outcome goes into the deployment's answer while its round is open; after that (a retry from
     * the outbox, or a first attempt that outlasted the round) into the deployment's ledger record.
     */
    private void report(Exchange exchange, NotificationOutcome outcome) {
        exchange.setProperty(OUTCOME, outcome);
        NotificationRound round = exchange.getProperty(NotificationRound.PROPERTY, NotificationRound.class);
        if (round != null && round.report(outcome)) {
            return;
        }
        OutboxEntry entry = exchange.getProperty(ENTRY, OutboxEntry.class);
        try {
            ledger.recordLaterNotification(entry.deploymentId(), outcome);
        } catch (SQLException | RuntimeException e) {
            // The audit log has the outcome; only the ledger's copy stays behind.
            Log.warnf("deployment %s: subscriber %s's outcome (%s) could not be recorded in the ledger: %s",
                    entry.deploymentId(), outcome.subscriber(), outcome.status(), e.getMessage());
        }
    }
}
