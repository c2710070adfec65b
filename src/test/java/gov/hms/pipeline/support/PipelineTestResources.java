package gov.hms.pipeline.support;

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
 * (WireMock, in-process), and a fresh temporary data folder for the audit log and registry.
 * The built-in registry target and event subscriber of config/application.properties are
 * switched off so tests see exactly the systems they script.
 */
public class PipelineTestResources implements QuarkusTestResourceLifecycleManager {

    /** The signing secret of the {@code records} subscriber (Standard Webhooks, base64 of 32 bytes). */
    public static final String RECORDS_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static WireMockServer server;
    private static Path dataDir;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
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
        // The inbox watches a folder of its own in the temporary data folder (never the working directory).
        config.put("pipeline.inbox.dir", inboxDir().toString());
        config.put("pipeline.inbox.repository-file", dataDir.resolve("state/inbox-deployed-sha256.txt").toString());
        config.put("pipeline.inbox.retry.max-attempts", "4");
        config.put("pipeline.inbox.retry.initial-delay", "2s");
        config.put("pipeline.inbox.retry.max-delay", "4s");
        return config;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    public static WireMockServer wireMock() {
        return server;
    }

    public static Path dataDir() {
        return dataDir;
    }

    /** The watched inbox; its done and failed folders are the defaults {@code .done} and {@code .failed} in it. */
    public static Path inboxDir() {
        return dataDir.resolve("inbox");
    }

    public static Path auditFile() {
        return dataDir.resolve("audit/audit.jsonl");
    }
}
