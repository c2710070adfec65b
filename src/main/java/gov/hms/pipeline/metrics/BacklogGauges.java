package gov.hms.pipeline.metrics;

import gov.hms.pipeline.broker.EmbeddedBroker;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.delivery.DeadLetterStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Work waiting, read when Prometheus scrapes {@code /q/metrics}:
 * <ul>
 * <li>{@code pipeline_inbox_backlog}: policy files waiting in the inbox (hidden, {@code *.tmp},
 * {@code *.part} and {@code *.jws} not counted)</li>
 * <li>{@code pipeline_queue_depth{queue}}: messages on the input queue and on its DLQ (embedded
 * broker only; an external broker reports its own)</li>
 * <li>{@code pipeline_dead_letters}: deployments kept for a retry</li>
 * </ul>
 * A value that cannot be read is reported as -1.
 */
@Startup
@ApplicationScoped
public class BacklogGauges {

    public BacklogGauges(MeterRegistry registry, PipelineConfig config, EmbeddedBroker broker, DeadLetterStore deadLetters) {
        Path inbox = config.inbox().dir();
        Gauge.builder("pipeline.inbox.backlog", () -> inboxBacklog(inbox))
                .description("Policy files waiting in the inbox").register(registry);
        String queue = config.queue().name();
        Gauge.builder("pipeline.queue.depth", () -> broker.messageCount(queue))
                .tag("queue", queue).description("Messages waiting on a queue").register(registry);
        String deadLetterQueue = EmbeddedBroker.deadLetterQueue(queue);
        Gauge.builder("pipeline.queue.depth", () -> broker.messageCount(deadLetterQueue))
                .tag("queue", deadLetterQueue).description("Messages waiting on a queue").register(registry);
        Gauge.builder("pipeline.dead.letters", deadLetters::count)
                .description("Deployments kept as dead letters").register(registry);
    }

    static long inboxBacklog(Path inbox) {
        if (!Files.isDirectory(inbox)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(inbox)) {
            return files.filter(Files::isRegularFile).map(path -> path.getFileName().toString())
                    .filter(name -> !name.startsWith("."))
                    .map(name -> name.toLowerCase(Locale.ROOT))
                    .filter(name -> !name.endsWith(".tmp") && !name.endsWith(".part") && !name.endsWith(".jws")
                            && !name.endsWith(".camellock"))
                    .count();
        } catch (IOException e) {
            return -1;
        }
    }
}
