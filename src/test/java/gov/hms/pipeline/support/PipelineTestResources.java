package gov.hms.pipeline.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Real HTTP servers on random ports standing in for a live target and two subscribers
 * (WireMock, in-process), and a fresh temporary data folder for the audit log, registry and
 * package archive, and
 * the embedded broker's journal (whose acceptor gets a random free port).
 * The built-in registry target and event subscriber of config/application.properties are
 * switched off so tests see exactly the systems they script.
 */
public class PipelineTestResources implements QuarkusTestResourceLifecycleManager {

    /** The signing secret of the {@code records} subscriber (Standard Webhooks, base64 of 32 bytes). */
    public static final String RECORDS_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static WireMockServer server;
    private static Path dataDir;
    private static int brokerPort;

    @Override
    public Map<String, String> start() {
        server = startLoopbackWireMock();
        try {
            dataDir = Files.createTempDirectory("pipeline-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String base = "http://127.0.0.1:" + server.port();
        Map<String, String> config = new HashMap<>();
        config.put("pipeline.targets.registry.url", base + "/unused");
        config.put("pipeline.targets.registry.enabled", "false");
        config.put("pipeline.subscribers.events.url", base + "/unused");
        config.put("pipeline.subscribers.events.enabled", "false");
        config.put("pipeline.targets.live.url", base + "/target/packages");
        config.put("pipeline.subscribers.scheduling.url", base + "/scheduling/events");
        config.put("pipeline.subscribers.records.url", base + "/records/events");
        config.put("pipeline.subscribers.records.secret", RECORDS_SECRET);
        config.put("pipeline.delivery.max-attempts", "3");
        config.put("pipeline.delivery.initial-delay", "50ms");
        config.put("pipeline.delivery.max-delay", "200ms");
        config.put("pipeline.audit.file", dataDir.resolve("audit/audit.jsonl").toString());
        config.put("pipeline.registry.dir", dataDir.resolve("registry").toString());
        config.put("pipeline.dead-letters.dir", dataDir.resolve("dead-letters").toString());
        config.put("pipeline.notification.outbox-dir", dataDir.resolve("outbox").toString());
        config.put("pipeline.notification.retry-schedule", "200ms,400ms,800ms");
        config.put("pipeline.notification.poll-interval", "100ms");
        config.put("quarkus.datasource.h2.jdbc.url", h2Url(dataDir));
        // The embedded broker never takes the default port or the working directory's data/.
        brokerPort = freePort();
        config.put("pipeline.broker.url", brokerUrl());
        config.put("pipeline.broker.data-dir", dataDir.resolve("broker").toString());
        // The inbox watches a folder of its own in the temporary data folder (never the working directory).
        config.put("pipeline.inbox.dir", inboxDir().toString());
        config.put("pipeline.inbox.retry.max-attempts", "4");
        config.put("pipeline.inbox.retry.initial-delay", "2s");
        config.put("pipeline.inbox.retry.max-delay", "4s");
        config.putAll(extraConfig(dataDir));
        return config;
    }

    /** The embedded ledger database in a data folder, as the service's default but elsewhere. */
    public static String h2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.resolve("ledger/ledger");
    }

    /** Settings a subclass adds for its own test class (a different set restarts Quarkus). */
    protected Map<String, String> extraConfig(Path dataDir) {
        return Map.of();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    /** @return a started WireMock server on a free port of 127.0.0.1 */
    public static WireMockServer startLoopbackWireMock() {
        WireMockServer wireMock = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        return wireMock;
    }

    public static WireMockServer wireMock() {
        return server;
    }

    /** Forgets every request and stub, then scripts a target and two subscribers that all accept. */
    public static WireMockServer healthySystems() {
        server.resetAll();
        server.stubFor(post(urlEqualTo("/target/packages")).willReturn(aResponse().withStatus(201)));
        server.stubFor(post(urlEqualTo("/scheduling/events")).willReturn(aResponse().withStatus(202)));
        server.stubFor(post(urlEqualTo("/records/events")).willReturn(aResponse().withStatus(200)));
        return server;
    }

    public static Path dataDir() {
        return dataDir;
    }

    public static Path outboxDir() {
        return dataDir.resolve("outbox");
    }

    public static Path deadLettersDir() {
        return dataDir.resolve("dead-letters");
    }

    /** The embedded broker's acceptor ({@code tcp://127.0.0.1:<random free port>}, CORE and AMQP). */
    public static String brokerUrl() {
        return "tcp://127.0.0.1:" + brokerPort;
    }

    /** The same acceptor as an AMQP 1.0 URL, for Qpid JMS clients playing another system. */
    public static String brokerAmqpUrl() {
        return "amqp://127.0.0.1:" + brokerPort;
    }

    public static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The watched inbox; its done and failed folders are the defaults {@code .done} and {@code .failed} in it. */
    public static Path inboxDir() {
        return dataDir.resolve("inbox");
    }

    public static Path auditFile() {
        return dataDir.resolve("audit/audit.jsonl");
    }
}
