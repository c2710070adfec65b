package gov.hms.pipeline.ingest;

import jakarta.jms.Destination;

/**
 * What the queue route keeps of one received JMS message, read once on arrival (exchange property
 * {@value #PROPERTY}); nothing else of the message travels on.
 *
 * @param queue         the queue it was read from
 * @param messageId     the id its sender knows it by (for an AMQP sender, its own {@code message-id})
 * @param correlationId its {@code JMSCorrelationID}, or {@code null}
 * @param replyTo       its {@code JMSReplyTo}, or {@code null} when no answer is wanted
 * @param deliveryCount {@code JMSXDeliveryCount}: 1 on first delivery, 2 on the first redelivery, …
 * @param body          the body as sent, to dead-letter it intact: a {@code String} (text message),
 *                      a {@code byte[]} (bytes message), or {@code null} (other message types, never read)
 * @param type          {@code text}, {@code bytes}, or the JMS type that was not read ({@code map}, {@code object}, …)
 */
public record QueueMessage(String queue, String messageId, String correlationId, Destination replyTo,
                           int deliveryCount, Object body, String type) {

    /** Exchange property holding the received message's {@link QueueMessage}. */
    public static final String PROPERTY = "queueMessage";

    /** The correlation id of an answer: the request's {@code JMSCorrelationID}, else its message id. */
    public String replyCorrelationId() {
        return correlationId != null && !correlationId.isEmpty() ? correlationId : messageId;
    }
}
