package gov.hms.pipeline.broker;

import gov.hms.pipeline.config.PipelineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness ({@code GET /q/health/ready}, check {@code broker}): UP when a JMS connection to the
 * broker can be opened with the service's credentials. Data: {@code url} (without options or
 * credentials), {@code embedded}, {@code queue}, and for the embedded broker the messages
 * waiting on the queue ({@code queueDepth}) and on its dead-letter queue ({@code deadLetters}).
 * The failure reason is the exception's class and message, which never contain the password.
 */
@Readiness
@ApplicationScoped
public class BrokerHealthCheck implements HealthCheck {

    private final PipelineConfig config;
    private final ConnectionFactory connectionFactory;
    private final EmbeddedBroker broker;

    public BrokerHealthCheck(PipelineConfig config,
                             @Named(BrokerConnectionFactory.NAME) ConnectionFactory connectionFactory,
                             EmbeddedBroker broker) {
        this.config = config;
        this.connectionFactory = connectionFactory;
        this.broker = broker;
    }

    @Override
    public HealthCheckResponse call() {
        String queue = config.queue().name();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("broker")
                .withData("url", BrokerConnectionFactory.displayUrl(config.broker().url()))
                .withData("embedded", config.broker().embedded())
                .withData("queue", queue);
        if (config.broker().embedded() && !broker.isRunning()) {
            return response.down().withData("error", "the embedded broker is not running").build();
        }
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
        } catch (Exception e) {
            return response.down().withData("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
        }
        if (config.broker().embedded()) {
            response.withData("queueDepth", broker.messageCount(queue))
                    .withData("deadLetters", broker.messageCount(EmbeddedBroker.deadLetterQueue(queue)));
        }
        return response.up().build();
    }
}
