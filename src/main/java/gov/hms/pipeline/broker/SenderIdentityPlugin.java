package gov.hms.pipeline.broker;

import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.activemq.artemis.protocol.amqp.broker.AMQPMessage;

/**
 * Embedded broker plugin: makes a message's {@code JMSXUserID} say who really sent it.
 * <p>
 * A JMS client reading an Artemis message gets {@code JMSXUserID} from the broker-side property
 * {@code _AMQ_VALIDATED_USER}. Out of the box a sender can put that property on its own message,
 * and an AMQP 1.0 message's {@code user-id} (which the sender chooses) becomes it as well, so
 * either could name anyone. Before every send this plugin overwrites it with the user the
 * connection authenticated as, or with an empty value when authentication is off, for CORE and
 * AMQP messages alike. For AMQP messages it is written as a broker-side extra property, which the
 * AMQP-to-CORE conversion applies last, after the sender's {@code user-id} and application properties.
 */
public class SenderIdentityPlugin implements ActiveMQServerMessagePlugin {

    @Override
    public void beforeSend(ServerSession session, Transaction tx, Message message, boolean direct,
                           boolean noAutoCreateQueue) {
        String user = session == null ? null : session.getValidatedUser();
        SimpleString value = SimpleString.of(user == null ? "" : user);
        if (message instanceof AMQPMessage amqp) {
            amqp.createExtraProperties().putSimpleStringProperty(Message.HDR_VALIDATED_USER, value);
        } else {
            message.putStringProperty(Message.HDR_VALIDATED_USER, value);
        }
    }
}
