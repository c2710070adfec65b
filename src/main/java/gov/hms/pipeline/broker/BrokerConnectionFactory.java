package gov.hms.pipeline.broker;

import gov.hms.pipeline.config.PipelineConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import jakarta.jms.ConnectionFactory;
import java.util.Locale;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.apache.qpid.jms.policy.JmsDefaultDeserializationPolicy;
import org.apache.qpid.jms.policy.JmsDefaultPrefetchPolicy;

/**
 * The Jakarta JMS {@link ConnectionFactory} the {@code jms} component uses, bean
 * {@value #NAME}, chosen by the scheme of {@code pipeline.broker.url}:
 * <ul>
 * <li>{@code tcp://…} (or an Artemis HA list {@code (tcp://a:61616,tcp://b:61616)}): the Artemis
 * CORE client, for the embedded broker and for external Artemis brokers and clusters;</li>
 * <li>{@code amqp://}, {@code amqps://}, {@code amqpws://}, {@code amqpwss://}, {@code failover:(amqp…)}:
 * the Qpid JMS AMQP 1.0 client, for any AMQP 1.0 broker.</li>
 * </ul>
 * Credentials come from {@code pipeline.broker.user} / {@code pipeline.broker.password}.
 * Unless the URL says otherwise, a consumer takes one message at a time (Artemis
 * {@code consumerWindowSize=0}, Qpid {@code jms.prefetchPolicy.all=1}), so instances competing on
 * the queue share it fairly.
 * Java deserialization of {@code ObjectMessage} bodies is denied outright: the service reads
 * only text and bytes messages.
 */
@Singleton
public class BrokerConnectionFactory {

    /** Bean name of the connection factory. */
    public static final String NAME = "pipelineConnectionFactory";

    /**
     * @param broker injected so the embedded broker is up before anything connects
     */
    @Produces
    @Singleton
    @Named(NAME)
    ConnectionFactory connectionFactory(PipelineConfig config, EmbeddedBroker broker) {
        return create(config.broker());
    }

    /** A factory for the configured broker; see the class description for the URL schemes. */
    public static ConnectionFactory create(PipelineConfig.Broker broker) {
        String url = broker.embedded() ? localUrl(broker.url().trim()) : broker.url().trim();
        String user = broker.user().orElse(null);
        String password = broker.password().orElse(null);
        if (isAmqp(url)) {
            JmsConnectionFactory amqp = new JmsConnectionFactory(user, password, url);
            JmsDefaultDeserializationPolicy policy = new JmsDefaultDeserializationPolicy();
            policy.setAllowList("");
            policy.setDenyList(JmsDefaultDeserializationPolicy.CATCH_ALL_WILDCARD);
            amqp.setDeserializationPolicy(policy);
            if (!url.contains("prefetchPolicy")) {
                amqp.setPrefetchPolicy(onePerConsumer());
            }
            return amqp;
        }
        ActiveMQConnectionFactory core = new ActiveMQConnectionFactory(url, user, password);
        core.setDeserializationDenyList("*");
        if (!url.contains("consumerWindowSize")) {
            core.setConsumerWindowSize(0);
        }
        return core;
    }

    /**
     * Deployments are slow consumers (HTTP calls to live systems): a consumer that buffered
     * messages ahead would hold them back from the other instances competing on the queue.
     */
    private static JmsDefaultPrefetchPolicy onePerConsumer() {
        JmsDefaultPrefetchPolicy prefetch = new JmsDefaultPrefetchPolicy();
        prefetch.setAll(1);
        return prefetch;
    }

    /** The embedded acceptor may listen on every interface ({@code 0.0.0.0}); the service itself connects locally. */
    static String localUrl(String acceptorUrl) {
        return acceptorUrl.replaceFirst("^tcp://(0\\.0\\.0\\.0|\\[::\\]|\\[0:0:0:0:0:0:0:0\\])(?=[:/?]|$)", "tcp://127.0.0.1");
    }

    /** Whether the URL names an AMQP 1.0 broker (Qpid JMS) rather than Artemis CORE. */
    static boolean isAmqp(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        return lower.startsWith("amqp") || lower.startsWith("failover:(amqp") || lower.startsWith("failover://(amqp");
    }

    /** The URL without credentials or options, safe to log and to show in health data. */
    public static String displayUrl(String url) {
        // Options may hold a password (Artemis accepts ?user=..&password=..): drop every query part.
        return url.trim().replaceAll("\\?[^,)]*", "").replaceAll("//[^/@(),]*@", "//");
    }
}
