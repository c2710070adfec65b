package gov.hms.pipeline.support;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * Another agency's system as the service sees it: a plain AMQP 1.0 client (Qpid JMS) with its own
 * connection, sending to the input queue and reading replies and dead letters.
 */
public final class AnotherSystem implements AutoCloseable {

    private final Connection connection;
    private final Session session;

    public AnotherSystem(String amqpUrl, String user, String password) throws JMSException {
        connection = new JmsConnectionFactory(user, password, amqpUrl).createConnection();
        connection.start();
        session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
    }

    public Session session() {
        return session;
    }

    /** Sends a text message; {@code properties} become JMS message properties. @return its JMSMessageID */
    public String sendText(String queue, String body, Map<String, Object> properties) throws JMSException {
        TextMessage message = session.createTextMessage(body);
        return send(queue, message, properties);
    }

    /** Sends the UTF-8 bytes of {@code body} as a bytes message. @return its JMSMessageID */
    public String sendBytes(String queue, String body, Map<String, Object> properties) throws JMSException {
        BytesMessage message = session.createBytesMessage();
        message.writeBytes(body.getBytes(StandardCharsets.UTF_8));
        return send(queue, message, properties);
    }

    public String send(String queue, Message message, Map<String, Object> properties) throws JMSException {
        for (Map.Entry<String, Object> property : properties.entrySet()) {
            if ("JMSReplyTo".equals(property.getKey())) {
                message.setJMSReplyTo((Destination) property.getValue());
            } else if ("JMSCorrelationID".equals(property.getKey())) {
                message.setJMSCorrelationID((String) property.getValue());
            } else {
                message.setObjectProperty(property.getKey(), property.getValue());
            }
        }
        try (MessageProducer producer = session.createProducer(session.createQueue(queue))) {
            producer.send(message);
        }
        return message.getJMSMessageID();
    }

    public TemporaryQueue temporaryQueue() throws JMSException {
        return session.createTemporaryQueue();
    }

    /** The next message on the destination, or {@code null} after {@code timeout}. */
    public Message receive(Destination destination, Duration timeout) throws JMSException {
        try (MessageConsumer consumer = session.createConsumer(destination)) {
            return consumer.receive(timeout.toMillis());
        }
    }

    public Message receive(String queue, Duration timeout) throws JMSException {
        return receive(session.createQueue(queue), timeout);
    }

    /** Takes every message now on the queue (for a clean start). */
    public List<Message> drain(String queue) throws JMSException {
        List<Message> drained = new ArrayList<>();
        try (MessageConsumer consumer = session.createConsumer(session.createQueue(queue))) {
            Message message;
            while ((message = consumer.receive(200)) != null) {
                drained.add(message);
            }
        }
        return drained;
    }

    /** The body of a text or bytes message as a string (UTF-8). */
    public static String bodyOf(Message message) throws JMSException {
        if (message instanceof TextMessage text) {
            return text.getText();
        }
        return new String(message.getBody(byte[].class), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws JMSException {
        connection.close();
    }
}
