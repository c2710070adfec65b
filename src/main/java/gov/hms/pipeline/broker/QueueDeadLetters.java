package gov.hms.pipeline.broker;

import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.audit.AuditSnapshot;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.delivery.DeadLetterStore;
import gov.hms.pipeline.ingest.QueueIngress;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.activemq.artemis.api.core.management.QueueControl;
import org.apache.camel.Exchange;

/**
 * The input queue's dead letters on the embedded broker ({@code <pipeline.queue.name>.DLQ}):
 * messages the service could not deploy (invalid, or still failing on their last delivery), each
 * with the {@value QueueIngress#FAILURE_REASON} and {@value QueueIngress#DEPLOYMENT_ID} properties the service
 * set, or ones the broker itself moved there. An operator requeues one to the input queue (it is then
 * deployed again like any message, as a deployment of its own) or discards it; both are audited
 * under the failed deployment's id ({@value #REQUEUED_STEP}, {@value DeadLetterStore#DISCARDED_STEP}).
 * Artemis' own management operations do the moving ({@link QueueControl}); with an external
 * broker its tools do.
 */
@ApplicationScoped
@Named("queueDeadLetters")
public class QueueDeadLetters {

    /** Exchange property: the {@link Message} to requeue or discard. */
    public static final String MESSAGE_PROPERTY = "queueDeadLetter";
    /** Exchange property: who asked. */
    public static final String ACTOR_PROPERTY = "queueDeadLetterActor";
    /** Audit step: a queue dead letter was moved back to the input queue. */
    public static final String REQUEUED_STEP = "dead-letter-requeued";
    /** At most this many messages are listed (oldest first). */
    public static final int LIST_LIMIT = 500;

    /**
     * One message on the dead-letter queue (its body stays on the broker).
     *
     * @param messageId     the broker's message id
     * @param time          when it was sent, RFC 3339 UTC (null if unknown)
     * @param failureReason why the service gave up on it (null if the broker moved it)
     * @param deploymentId  the failed deployment (null if the broker moved it)
     * @param sender        the validated user who sent it, when authentication is on
     */
    public record Message(long messageId, String time, String failureReason, String deploymentId, String sender) {
    }

    private final EmbeddedBroker broker;
    private final String queue;
    private final String deadLetterQueue;

    public QueueDeadLetters(EmbeddedBroker broker, PipelineConfig config) {
        this.broker = broker;
        this.queue = config.queue().name();
        this.deadLetterQueue = EmbeddedBroker.deadLetterQueue(queue);
    }

    /** Whether this service runs the broker holding them (else they are the external broker's). */
    public boolean available() {
        return broker.queueControl(deadLetterQueue).isPresent();
    }

    public String queueName() {
        return deadLetterQueue;
    }

    /** @return the messages, oldest first, at most {@link #LIST_LIMIT}; empty without the embedded broker */
    public List<Message> list() {
        List<Message> messages = all();
        return messages.size() > LIST_LIMIT ? messages.subList(0, LIST_LIMIT) : messages;
    }

    /** @return the message, also one beyond the first {@link #LIST_LIMIT} */
    public Optional<Message> find(long messageId) {
        return all().stream().filter(m -> m.messageId() == messageId).findFirst();
    }

    private List<Message> all() {
        Optional<QueueControl> control = broker.queueControl(deadLetterQueue);
        if (control.isEmpty()) {
            return List.of();
        }
        List<Message> messages = new ArrayList<>();
        try {
            for (Map<String, Object> message : control.get().listMessages("")) {
                messages.add(messageOf(message));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot list " + deadLetterQueue + ": " + e.getMessage(), e);
        }
        messages.sort(Comparator.comparingLong(Message::messageId));
        return messages;
    }

    /** The {@code queue-dead-letter-requeue} route: moves the message back to the input queue, sets up its audit record. */
    public void requeue(Exchange exchange) throws Exception {
        Message message = exchange.getProperty(MESSAGE_PROPERTY, Message.class);
        if (!control().moveMessage(message.messageId(), queue)) {
            throw new IllegalStateException("message " + message.messageId() + " is no longer on " + deadLetterQueue);
        }
        audited(exchange, message, "queue dead letter " + message.messageId() + " moved from " + deadLetterQueue + " back to "
                + queue + " to be deployed again" + because(message));
        Log.warnf("queue dead letter %d requeued to %s by %s", message.messageId(), queue, actor(exchange));
    }

    /** The {@code queue-dead-letter-discard} route: deletes the message, sets up its audit record. */
    public void discard(Exchange exchange) throws Exception {
        Message message = exchange.getProperty(MESSAGE_PROPERTY, Message.class);
        if (!control().removeMessage(message.messageId())) {
            throw new IllegalStateException("message " + message.messageId() + " is no longer on " + deadLetterQueue);
        }
        audited(exchange, message, "queue dead letter " + message.messageId() + " on " + deadLetterQueue + " discarded"
                + because(message));
        Log.warnf("queue dead letter %d discarded from %s by %s", message.messageId(), deadLetterQueue, actor(exchange));
    }

    private QueueControl control() {
        return broker.queueControl(deadLetterQueue)
                .orElseThrow(() -> new IllegalStateException("the embedded broker is not running"));
    }

    /** Its audit record: under the failed deployment's id (a new one if the broker moved it), source {@code queue}. */
    private void audited(Exchange exchange, Message message, String detail) {
        String id = message.deploymentId() != null && DeadLetterStore.isValidId(message.deploymentId())
                ? message.deploymentId() : UUID.randomUUID().toString();
        exchange.setProperty(Deployment.PROPERTY, new Deployment(id, Source.QUEUE, actor(exchange), deadLetterQueue, null));
        exchange.setProperty(AuditSnapshot.DETAIL_PROPERTY, detail);
    }

    private static String actor(Exchange exchange) {
        return exchange.getProperty(ACTOR_PROPERTY, "anonymous", String.class);
    }

    private static String because(Message message) {
        return message.failureReason() == null ? "" : "; it had failed: " + message.failureReason();
    }

    private static Message messageOf(Map<String, Object> message) {
        Object timestamp = message.get("timestamp");
        return new Message(((Number) message.get("messageID")).longValue(),
                timestamp instanceof Number t && t.longValue() > 0 ? Instant.ofEpochMilli(t.longValue()).toString() : null,
                text(message.get(QueueIngress.FAILURE_REASON)), text(message.get(QueueIngress.DEPLOYMENT_ID)),
                text(message.get("_AMQ_VALIDATED_USER")));
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
