package gov.hms.pipeline.broker;

import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.management.QueueControl;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;

/**
 * The embedded Apache ActiveMQ Artemis broker ({@code pipeline.broker.embedded=true}, the default).
 * <ul>
 * <li>Persistent journal (NIO) under {@code pipeline.broker.data-dir}: messages survive restarts.</li>
 * <li>One acceptor at {@code pipeline.broker.url} speaking CORE and AMQP 1.0
 * (OASIS AMQP 1.0, ISO/IEC 19464), so JMS, Python, .NET and Node clients can all send.</li>
 * <li>The input queue {@code pipeline.queue.name} and its dead-letter queue {@code <name>.DLQ},
 * both ANYCAST and durable, created at start (an AMQP sender would otherwise auto-create a
 * MULTICAST address). The input queue's address settings give the broker's own redelivery:
 * growing delay ({@code pipeline.queue.redelivery-*}) and dead-lettering after
 * {@code pipeline.queue.max-redeliveries} + 1 delivery attempts; the service dead-letters a
 * message itself on its last attempt (with the reason), so this is the safety net for a service
 * that died mid-message. Expired messages go to the DLQ too.</li>
 * <li>Authentication only when {@code pipeline.broker.user} is set: the service's user may do
 * anything; each {@code pipeline.broker.senders.<user>} may send to the input queue and use
 * temporary queues for replies, nothing else. {@link SenderIdentityPlugin} stamps every message
 * with the user who sent it ({@code JMSXUserID}).</li>
 * </ul>
 * Started when the bean is created (at start-up, and before the connection factory is made), and
 * stopped when the CDI container shuts down, which is after Camel has stopped its consumers.
 * With {@code pipeline.broker.embedded=false} this bean does nothing.
 */
@Startup
@Singleton
public class EmbeddedBroker {

    static final String SERVICE_ROLE = "pipeline";
    static final String SENDER_ROLE = "sender";

    private final PipelineConfig config;
    private EmbeddedActiveMQ broker;
    private gov.hms.pipeline.storage.ProcessLock journalLock;

    public EmbeddedBroker(PipelineConfig config) {
        this.config = config;
    }

    @PostConstruct
    void startAtBoot() {
        if (config.broker().embedded()) {
            start();
        }
    }

    /**
     * Starts the broker (no-op when running or not embedded).
     *
     * @throws IllegalStateException if the journal folder cannot be created or the acceptor cannot bind
     */
    public synchronized void start() {
        if (!config.broker().embedded() || broker != null) {
            return;
        }
        long started = System.nanoTime();
        // Artemis waits for ever for a journal another process holds: refuse at once instead, naming it.
        lockJournal();
        EmbeddedActiveMQ embedded = new EmbeddedActiveMQ();
        try {
            embedded.setConfiguration(configuration());
            config.broker().user().ifPresent(user -> embedded.setSecurityManager(securityManager(user)));
            embedded.start();
        } catch (Exception e) {
            try {
                embedded.stop();
            } catch (Exception ignored) {
                // the start failure is the one worth reporting
            }
            throw new IllegalStateException("the embedded broker could not start at " + acceptorUri()
                    + ": " + e.getMessage(), e);
        }
        broker = embedded;
        Log.infof("embedded broker listening at %s (CORE, AMQP 1.0), journal %s, queue %s, %s; started in %d ms",
                acceptorUri(), config.broker().dataDir().toAbsolutePath(), config.queue().name(),
                config.broker().user().isPresent() ? "authentication on" : "authentication off",
                (System.nanoTime() - started) / 1_000_000);
    }

    private void lockJournal() {
        if (journalLock != null) {
            return;
        }
        java.nio.file.Path dir = config.broker().dataDir().toAbsolutePath();
        try {
            journalLock = gov.hms.pipeline.storage.ProcessLock.acquire(dir.resolve("pipeline.lock"), "the data folder " + dir);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the broker's data folder " + dir + " cannot be locked: " + e.getMessage(), e);
        }
    }

    /** Stops the broker; queued messages stay in the journal. No-op when not running. */
    @PreDestroy
    public synchronized void stop() {
        if (broker == null) {
            return;
        }
        try {
            broker.stop();
            Log.info("embedded broker stopped");
        } catch (Exception e) {
            Log.errorf("embedded broker did not stop cleanly: %s", e.toString());
        } finally {
            broker = null;
            releaseJournal();
        }
    }

    private void releaseJournal() {
        if (journalLock == null) {
            return;
        }
        try {
            journalLock.write("closed " + java.time.Instant.now());
            journalLock.close();
        } catch (java.io.IOException e) {
            Log.warnf("embedded broker: could not release %s: %s", journalLock.file(), e.toString());
        }
        journalLock = null;
    }

    /** Whether this service runs the broker itself and it is up. */
    public synchronized boolean isRunning() {
        return broker != null && broker.getActiveMQServer().isActive();
    }

    /**
     * Messages waiting on a queue of the embedded broker (scheduled redeliveries included).
     *
     * @return the count, or {@code -1} when the broker is not running here or has no such queue
     */
    public synchronized long messageCount(String queueName) {
        if (broker == null) {
            return -1;
        }
        Queue queue = broker.getActiveMQServer().locateQueue(SimpleString.of(queueName));
        return queue == null ? -1 : queue.getMessageCount();
    }

    /**
     * The management view of a queue of the embedded broker (list, move and remove messages).
     *
     * @return empty when the broker is not running here or has no such queue
     */
    public synchronized Optional<QueueControl> queueControl(String queueName) {
        if (broker == null) {
            return Optional.empty();
        }
        Object control = broker.getActiveMQServer().getManagementService().getResource(ResourceNames.QUEUE + queueName);
        return control instanceof QueueControl queue ? Optional.of(queue) : Optional.empty();
    }

    Configuration configuration() throws Exception {
        PipelineConfig.Queue queue = config.queue();
        String name = queue.name();
        String deadLetters = deadLetterQueue(name);
        Path dataDir = config.broker().dataDir().toAbsolutePath();
        Files.createDirectories(dataDir);

        Configuration configuration = new ConfigurationImpl()
                .setName("policy-pipeline")
                .setPersistenceEnabled(true)
                .setJournalType(JournalType.NIO)
                .setJournalDirectory(dataDir.resolve("journal").toString())
                .setBindingsDirectory(dataDir.resolve("bindings").toString())
                .setPagingDirectory(dataDir.resolve("paging").toString())
                .setLargeMessagesDirectory(dataDir.resolve("large-messages").toString())
                .setNodeManagerLockDirectory(dataDir.toString())
                // A message whose processing kills the service must still reach max-delivery-attempts:
                // the count is written to the journal before each delivery, so a crash does not reset it.
                .setPersistDeliveryCountBeforeDelivery(true)
                .setJMXManagementEnabled(false)
                .setSecurityEnabled(config.broker().user().isPresent());
        configuration.addAcceptorConfiguration("pipeline", acceptorUri());
        configuration.addQueueConfiguration(QueueConfiguration.of(name)
                .setAddress(name).setRoutingType(RoutingType.ANYCAST).setDurable(true));
        configuration.addQueueConfiguration(QueueConfiguration.of(deadLetters)
                .setAddress(deadLetters).setRoutingType(RoutingType.ANYCAST).setDurable(true));
        // Address settings merge from general to specific. Everything that dead-letters or
        // expires on this broker ends on the one DLQ an operator watches.
        configuration.addAddressSetting("#", new AddressSettings()
                .setDeadLetterAddress(SimpleString.of(deadLetters))
                .setExpiryAddress(SimpleString.of(deadLetters)));
        configuration.addAddressSetting(name, new AddressSettings()
                .setMaxDeliveryAttempts(queue.maxRedeliveries() + 1)
                .setRedeliveryDelay(queue.redeliveryDelay().toMillis())
                .setRedeliveryMultiplier(queue.redeliveryMultiplier())
                .setMaxRedeliveryDelay(queue.maxRedeliveryDelay().toMillis())
                .setDefaultAddressRoutingType(RoutingType.ANYCAST));
        // Dead letters stay until an operator takes them, however often they are browsed or rolled back.
        configuration.addAddressSetting(deadLetters, new AddressSettings().setMaxDeliveryAttempts(-1));
        configuration.registerBrokerPlugin(new SenderIdentityPlugin());
        if (config.broker().user().isPresent()) {
            // The most specific match wins (no merging): the input queue and its DLQ are named
            // exactly, everything else (temporary reply queues) falls under '#'.
            Role service = role(SERVICE_ROLE, true, true, true, true);
            configuration.putSecurityRoles("#", Set.of(service, role(SENDER_ROLE, true, true, false, true)));
            configuration.putSecurityRoles(name, Set.of(service, role(SENDER_ROLE, true, false, false, false)));
            configuration.putSecurityRoles(deadLetters, Set.of(service));
        }
        return configuration;
    }

    /** @return a role; {@code temporary} allows creating and deleting non-durable queues and addresses */
    private static Role role(String name, boolean send, boolean consume, boolean durable, boolean temporary) {
        return new Role(name, send, consume, durable, durable, temporary || durable, temporary || durable,
                durable, consume, temporary || durable, temporary || durable, durable, durable);
    }

    private ActiveMQJAASSecurityManager securityManager(String serviceUser) {
        SecurityConfiguration users = new SecurityConfiguration();
        users.addUser(serviceUser, config.broker().password().orElse(""));
        users.addRole(serviceUser, SERVICE_ROLE);
        for (Map.Entry<String, PipelineConfig.Broker.Sender> sender : config.broker().senders().entrySet()) {
            users.addUser(sender.getKey(), sender.getValue().password());
            users.addRole(sender.getKey(), SENDER_ROLE);
        }
        return new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users);
    }

    /** The acceptor: host and port of {@code pipeline.broker.url}, protocols CORE and AMQP. */
    String acceptorUri() {
        URI url = URI.create(config.broker().url().trim());
        if (!"tcp".equals(url.getScheme()) || url.getHost() == null || url.getPort() < 0) {
            throw new IllegalStateException("pipeline.broker.url must be tcp://host:port for the embedded broker, was "
                    + url.getScheme() + "://" + url.getHost() + ":" + url.getPort());
        }
        return "tcp://" + url.getHost() + ":" + url.getPort() + "?protocols=CORE,AMQP";
    }

    /** The dead-letter queue of an input queue: {@code <name>.DLQ}. */
    public static String deadLetterQueue(String queueName) {
        return queueName + ".DLQ";
    }
}
