package gov.hms.pipeline.support;

import java.util.HashMap;
import java.util.Map;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;

/**
 * {@link PipelineTestResources} with an "external" broker: a separate Artemis instance that the
 * service does not own, configured the way an operator would (ANYCAST queue, DLQ, redelivery),
 * without authentication and without the service's identity plugin. The service runs with
 * {@code pipeline.broker.embedded=false} and reaches it over AMQP 1.0 (Qpid JMS), as it would any
 * AMQP 1.0 broker, with two competing consumers.
 */
public class ExternalBrokerTestResources extends PipelineTestResources {

    public static final int MAX_REDELIVERIES = 1;
    private EmbeddedActiveMQ external;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        String queue = QueueTestResources.QUEUE;
        String dlq = QueueTestResources.DLQ;
        try {
            Configuration broker = new ConfigurationImpl()
                    .setName("external-test-broker")
                    .setPersistenceEnabled(false)
                    .setSecurityEnabled(false)
                    .setJMXManagementEnabled(false)
                    .addAcceptorConfiguration("amqp", brokerUrl() + "?protocols=CORE,AMQP")
                    .addQueueConfiguration(QueueConfiguration.of(queue).setRoutingType(RoutingType.ANYCAST))
                    .addQueueConfiguration(QueueConfiguration.of(dlq).setRoutingType(RoutingType.ANYCAST))
                    .addAddressSetting(queue, new AddressSettings()
                            .setDeadLetterAddress(SimpleString.of(dlq))
                            .setMaxDeliveryAttempts(MAX_REDELIVERIES + 1)
                            .setRedeliveryDelay(100));
            external = new EmbeddedActiveMQ().setConfiguration(broker);
            external.start();
        } catch (Exception e) {
            throw new IllegalStateException("the external test broker did not start", e);
        }
        config.put("pipeline.broker.embedded", "false");
        config.put("pipeline.broker.url", brokerAmqpUrl());
        config.put("pipeline.queue.max-redeliveries", Integer.toString(MAX_REDELIVERIES));
        config.put("pipeline.queue.concurrent-consumers", "2");
        config.put("pipeline.delivery.max-attempts", "1");
        return config;
    }

    @Override
    public void stop() {
        try {
            if (external != null) {
                external.stop();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            super.stop();
        }
    }
}
