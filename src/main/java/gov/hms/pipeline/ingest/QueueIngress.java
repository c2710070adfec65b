package gov.hms.pipeline.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.broker.BrokerConnectionFactory;
import gov.hms.pipeline.broker.EmbeddedBroker;
import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import jakarta.jms.BytesMessage;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.ObjectMessage;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import java.io.UncheckedIOException;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsConstants;
import org.apache.camel.component.jms.JmsMessage;
import org.apache.camel.support.DefaultMessage;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The queue side of the deploy path (route {@code queue-ingest}): reads what it needs from a
 * received JMS message, then decides how the message is settled once its deployment has ended,
 * and builds the dead-letter copy and the answer.
 * <p>
 * Of the message only this is read: the body (text or bytes, UTF-8 JSON), {@code JMSXUserID},
 * the {@code approvedBy} property, the message id, {@code JMSCorrelationID}, {@code JMSReplyTo}
 * and {@code JMSXDeliveryCount}. Every other property is dropped: the Camel message is replaced
 * by a fresh one whose only content is the body, so no property can act as a Camel header
 * (whatever its letter case) or reach a target.
 */
@ApplicationScoped
@Named("queueIngress")
public class QueueIngress {

    /** Exchange property: {@link Settlement#label()} of the current message. */
    public static final String SETTLEMENT = "queueSettlement";
    /** Exchange property: {@code true} when the message asked for an answer ({@code JMSReplyTo}). */
    public static final String REPLY_WANTED = "queueReplyWanted";
    /** Exchange property: the {@link DeploymentResult}, kept while the message is rebuilt for the DLQ. */
    public static final String RESULT = "deploymentResult";

    /** Message property read for the actor when the broker vouches for no user. */
    public static final String APPROVED_BY = "approvedBy";
    /** Message property carrying a detached JWS over the policy's canonical JSON (RFC 7515 appendix F). */
    public static final String POLICY_SIGNATURE = "policySignature";
    /** Dead-letter property: why the deployment failed (the answer's {@code error} and errors). */
    public static final String FAILURE_REASON = "failureReason";
    /** Dead-letter property: the HTTP status the failure is answered with (400..499 permanent, 5xx transient). */
    public static final String FAILURE_STATUS = "failureStatus";
    /** Dead-letter property: the last deployment's id, as in the audit log. */
    public static final String DEPLOYMENT_ID = "deploymentId";
    /** Dead-letter property: the id the sender knows the message by. */
    public static final String ORIGINAL_MESSAGE_ID = "originalMessageId";
    /** Dead-letter property: how often the message was delivered to the service. */
    public static final String DELIVERY_ATTEMPTS = "deliveryAttempts";

    static final String JMSX_USER_ID = "JMSXUserID";
    static final String JMSX_DELIVERY_COUNT = "JMSXDeliveryCount";
    /** Artemis keeps an AMQP sender's own message-id here (its CORE message id is a new one). */
    static final String NATIVE_MESSAGE_ID = "NATIVE_MESSAGE_ID";
    private static final int MAX_REASON_LENGTH = 2000;
    private static final int MAX_ID_LENGTH = 200;

    /** How a message is settled once its deployment has ended. */
    public enum Settlement {
        /** Deployed: commit (acknowledge). */
        ACKNOWLEDGE("acknowledge"),
        /** Permanent failure, or transient failure on the last allowed delivery: copy to the DLQ, commit. */
        DEAD_LETTER("dead-letter"),
        /** Transient failure: roll back, so the broker redelivers it after its redelivery delay. */
        REDELIVER("redeliver");

        private final String label;

        Settlement(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final PipelineConfig.Queue queue;
    private final ConnectionFactory connectionFactory;

    public QueueIngress(PipelineConfig config,
                        @Named(BrokerConnectionFactory.NAME) ConnectionFactory connectionFactory) {
        this.queue = config.queue();
        this.connectionFactory = connectionFactory;
    }

    /**
     * Describes the received message as a {@link Deployment} and a {@link QueueMessage} (exchange
     * properties) and replaces the Camel message by one holding only the body: UTF-8 bytes of a
     * text message, the bytes of a bytes message. Other message types are never read (an
     * {@code ObjectMessage} would mean Java deserialization); they enter the deploy route with
     * an empty body and a declared media type naming the JMS type, which the parser rejects (415).
     *
     * @throws JMSException if the message cannot be read (the transaction rolls back)
     */
    public void admit(Exchange exchange) throws JMSException {
        Message jms = exchange.getIn(JmsMessage.class).getJmsMessage();
        String messageId = nativeMessageId(jms);
        int deliveryCount = jms.propertyExists(JMSX_DELIVERY_COUNT) ? jms.getIntProperty(JMSX_DELIVERY_COUNT) : 1;
        Object body;
        String type;
        byte[] policy;
        String declaredContentType = null;
        if (jms instanceof TextMessage text) {
            body = text.getText() == null ? "" : text.getText();
            type = "text";
            policy = PolicyParser.utf8((String) body);
        } else if (jms instanceof BytesMessage bytes) {
            byte[] content = bytes.getBody(byte[].class);
            body = content == null ? new byte[0] : content;
            type = "bytes";
            policy = (byte[]) body;
        } else {
            body = null;
            type = unreadType(jms);
            policy = new byte[0];
            if (type != null) {
                declaredContentType = "application/x-jms-" + type + "-message";
            }
        }
        QueueMessage received = new QueueMessage(queue.name(), messageId, jms.getJMSCorrelationID(),
                jms.getJMSReplyTo(), deliveryCount, body, type == null ? "empty" : type);
        String origin = "queue " + queue.name() + " message " + (messageId == null ? "without id" : messageId)
                + (received.correlationId() == null ? "" : ", correlation id " + printable(received.correlationId()))
                + " (delivery " + deliveryCount + " of " + (queue.maxRedeliveries() + 1) + ")";
        Deployment deployment = new Deployment(Source.QUEUE,
                actorOf(jms.getStringProperty(JMSX_USER_ID), stringProperty(jms, APPROVED_BY)), origin,
                declaredContentType)
                .signature(stringProperty(jms, POLICY_SIGNATURE));

        DefaultMessage fresh = new DefaultMessage(exchange);
        fresh.setBody(policy);
        exchange.setMessage(fresh);
        exchange.setProperty(QueueMessage.PROPERTY, received);
        exchange.setProperty(Deployment.PROPERTY, deployment);
        exchange.setProperty(gov.hms.pipeline.delivery.TargetDelivery.SOURCE_RETRIES,
                deliveryCount < queue.maxRedeliveries() + 1);
    }

    /**
     * Decides the settlement from the deployment's result (the body) and records it as the
     * {@value #SETTLEMENT} property (and {@value #REPLY_WANTED}): success acknowledges; a
     * permanent failure (400..499: invalid, not JSON, empty) is dead-lettered at once; a transient
     * one (5xx: a target down) is redelivered, except on the last allowed delivery
     * ({@code pipeline.queue.max-redeliveries} + 1), when it is dead-lettered.
     */
    public void settle(Exchange exchange) {
        DeploymentResult result = exchange.getMessage().getBody(DeploymentResult.class);
        if (result == null) {
            // direct:deploy always answers a result; should it ever not, retrying is the safe side.
            result = DeploymentResult.failure(500, "Internal error: the deploy route gave no result");
        }
        QueueMessage received = exchange.getProperty(QueueMessage.PROPERTY, QueueMessage.class);
        Settlement settlement = settlementOf(result, received.deliveryCount(), queue.maxRedeliveries() + 1);
        exchange.setProperty(SETTLEMENT, settlement.label());
        exchange.setProperty(RESULT, result);
        exchange.setProperty(REPLY_WANTED, received.replyTo() != null);
        switch (settlement) {
            case ACKNOWLEDGE -> Log.infof("queue %s: message %s deployed (deployment %s)", received.queue(),
                    received.messageId(), result.deploymentId());
            case REDELIVER -> Log.warnf("queue %s: message %s failed transiently (%d) on delivery %d of %d; "
                            + "rolled back for redelivery", received.queue(), received.messageId(), result.httpStatus(),
                    received.deliveryCount(), queue.maxRedeliveries() + 1);
            case DEAD_LETTER -> Log.warnf("queue %s: message %s dead-lettered to %s after delivery %d (%d: %s)",
                    received.queue(), received.messageId(), EmbeddedBroker.deadLetterQueue(received.queue()),
                    received.deliveryCount(), result.httpStatus(), result.error());
        }
    }

    /**
     * Whether the message arrives for more deliveries than allowed ({@code max-redeliveries} + 1):
     * the earlier ones cannot have ended (each would have been settled), so the service died while
     * processing it, and trying again would only repeat the crash (issue 16, poison message).
     */
    public boolean exhausted(Exchange exchange) {
        return exchange.getProperty(QueueMessage.PROPERTY, QueueMessage.class).deliveryCount() > queue.maxRedeliveries() + 1;
    }

    /** The result of a message {@link #exhausted(Exchange)}: a failure saying why, for the dead-letter copy. */
    public DeploymentResult refuseExhausted(Exchange exchange) {
        QueueMessage received = exchange.getProperty(QueueMessage.PROPERTY, QueueMessage.class);
        String reason = "delivered " + received.deliveryCount() + " times, more than the " + (queue.maxRedeliveries() + 1)
                + " allowed (pipeline.queue.max-redeliveries + 1): the service stopped while processing it on the "
                + "deliveries before (a crash); dead-lettered without another attempt";
        Log.errorf("queue %s: message %s %s", received.queue(), received.messageId(), reason);
        return DeploymentResult.failure(500, reason);
    }

    /** The settlement rule of {@link #settle(Exchange)}, for a given delivery of at most {@code maxDeliveries}. */
    public static Settlement settlementOf(DeploymentResult result, int deliveryCount, int maxDeliveries) {
        if (result != null && result.succeeded()) {
            return Settlement.ACKNOWLEDGE;
        }
        boolean permanent = result != null && result.httpStatus() >= 400 && result.httpStatus() < 500;
        if (permanent || deliveryCount >= maxDeliveries) {
            return Settlement.DEAD_LETTER;
        }
        return Settlement.REDELIVER;
    }

    /**
     * Replaces the message with the dead-letter copy: the body exactly as received (text stays
     * text, bytes stay bytes) and only these properties: {@value #FAILURE_REASON},
     * {@value #FAILURE_STATUS}, {@value #DEPLOYMENT_ID}, {@value #ORIGINAL_MESSAGE_ID},
     * {@value #DELIVERY_ATTEMPTS}, and the request's {@code JMSCorrelationID} if it had one.
     */
    public void deadLetter(Exchange exchange) {
        requireMessageTransaction();
        DeploymentResult result = exchange.getProperty(RESULT, DeploymentResult.class);
        QueueMessage received = exchange.getProperty(QueueMessage.PROPERTY, QueueMessage.class);
        DefaultMessage copy = new DefaultMessage(exchange);
        copy.setBody(received.body() == null ? new byte[0] : received.body());
        copy.setHeader(FAILURE_REASON, reasonOf(result));
        copy.setHeader(FAILURE_STATUS, result.httpStatus());
        if (result.deploymentId() != null) {
            copy.setHeader(DEPLOYMENT_ID, result.deploymentId());
        }
        if (received.messageId() != null) {
            copy.setHeader(ORIGINAL_MESSAGE_ID, received.messageId());
        }
        copy.setHeader(DELIVERY_ATTEMPTS, received.deliveryCount());
        if (received.correlationId() != null) {
            copy.setHeader(JmsConstants.JMS_HEADER_CORRELATION_ID, received.correlationId());
        }
        exchange.setMessage(copy);
    }

    /**
     * Replaces the message with the answer for {@code JMSReplyTo}: the result JSON as a text
     * message (the same document as the HTTP answer's body), {@code JMSCorrelationID} = the
     * request's correlation id, else its message id.
     */
    public void reply(Exchange exchange) {
        requireMessageTransaction();
        DeploymentResult result = exchange.getProperty(RESULT, DeploymentResult.class);
        QueueMessage received = exchange.getProperty(QueueMessage.PROPERTY, QueueMessage.class);
        DefaultMessage answer = new DefaultMessage(exchange);
        try {
            answer.setBody(mapper.writeValueAsString(result));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        answer.setHeader(JmsConstants.JMS_DESTINATION, received.replyTo());
        if (received.replyCorrelationId() != null) {
            answer.setHeader(JmsConstants.JMS_HEADER_CORRELATION_ID, received.replyCorrelationId());
        }
        exchange.setMessage(answer);
    }

    /**
     * The audit actor: the user the broker vouches for ({@code JMSXUserID}), else the sender's
     * {@code approvedBy} property, else {@code anonymous}.
     */
    public static String actorOf(String jmsxUserId, String approvedBy) {
        if (jmsxUserId != null && !jmsxUserId.isBlank()) {
            return jmsxUserId.strip();
        }
        if (approvedBy != null && !approvedBy.isBlank()) {
            return approvedBy.strip();
        }
        return "anonymous";
    }

    /**
     * The dead-letter copy and the answer must be sent in the received message's transaction,
     * which the listener container binds to its own thread; a send from another thread would
     * commit on its own, whatever became of the message.
     *
     * @throws IllegalStateException if this is not the consumer's thread (the message is rolled back)
     */
    private void requireMessageTransaction() {
        if (!TransactionSynchronizationManager.hasResource(connectionFactory)) {
            throw new IllegalStateException("not on the JMS consumer's thread: a send would not join the message's"
                    + " transaction (an asynchronous step in the deploy route?)");
        }
    }

    static String reasonOf(DeploymentResult result) {
        StringBuilder reason = new StringBuilder(result.error() == null ? "failed" : result.error());
        if (result.errors() != null && !result.errors().isEmpty()) {
            reason.append(": ").append(result.errors().stream()
                    .map(error -> (error.path().isEmpty() ? "(document)" : error.path()) + " " + error.message())
                    .collect(Collectors.joining("; ")));
        }
        return reason.length() > MAX_REASON_LENGTH ? reason.substring(0, MAX_REASON_LENGTH) + "…" : reason.toString();
    }

    private static String nativeMessageId(Message jms) throws JMSException {
        if (jms.propertyExists(NATIVE_MESSAGE_ID)) {
            Object nativeId = jms.getObjectProperty(NATIVE_MESSAGE_ID);
            if (nativeId != null) {
                return printable(nativeId.toString());
            }
        }
        return printable(jms.getJMSMessageID());
    }

    /**
     * Sender-chosen ids go into logs and the audit detail: control characters become '?' (no forged
     * log lines) and anything past {@value #MAX_ID_LENGTH} characters is cut.
     */
    static String printable(String id) {
        if (id == null) {
            return null;
        }
        String clipped = id.length() > MAX_ID_LENGTH ? id.substring(0, MAX_ID_LENGTH) + "…" : id;
        return clipped.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
    }

    private static String stringProperty(Message jms, String name) throws JMSException {
        Object value = jms.propertyExists(name) ? jms.getObjectProperty(name) : null;
        return value instanceof String text ? text : null;
    }

    /** The JMS type of a message that is not read, or {@code null} for a plain message without a body. */
    private static String unreadType(Message jms) {
        if (jms instanceof MapMessage) {
            return "map";
        } else if (jms instanceof ObjectMessage) {
            return "object";
        } else if (jms instanceof StreamMessage) {
            return "stream";
        }
        return null;
    }
}
