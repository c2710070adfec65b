package gov.hms.pipeline.inbox;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.InboxFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged service as a real process (target/quarkus-app/quarkus-run.jar, run by failsafe after
 * {@code package}), killed with SIGKILL in the middle of a delivery and started again on the same folders:
 * <ul>
 * <li>files waiting in the inbox at start-up are processed;</li>
 * <li>the file whose delivery was cut off is delivered after the restart, under the same Idempotency-Key;</li>
 * <li>files that waited during the crash are all delivered after the restart, each exactly once;</li>
 * <li>the idempotent repository survives the restart: a copy of a policy deployed before it is a duplicate;</li>
 * <li>nothing is lost or left in a hidden work folder.</li>
 * </ul>
 * The first life runs in the C locale, where the JVM reads file names as ASCII: a file with a non-ASCII
 * name is left untouched in the inbox (and a warning names the remedy). The second life runs with
 * LC_ALL=C.UTF-8, as docs/inbox.md asks, and delivers it under its own name.
 */
class InboxRestartIT {

    private static final String TARGET = "/target/packages";
    private static final Duration START = Duration.ofMinutes(3);

    private WireMockServer wireMock;
    private Path home;
    private InboxFolder inbox;
    private Process service;

    @BeforeEach
    void start() throws IOException {
        wireMock = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        wireMock.stubFor(post(urlEqualTo(TARGET)).willReturn(aResponse().withStatus(201)));
        home = Files.createTempDirectory("pipeline-restart-");
        inbox = new InboxFolder(home.resolve("inbox"));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (service != null && service.isAlive()) {
            service.destroyForcibly().waitFor();
        }
        wireMock.stop();
    }

    @Test
    void killedInTheMiddleOfADeliveryAndRestartedEveryFileIsDeliveredNoneTwice() throws Exception {
        // Waiting before the service ever starts.
        inbox.drop("early.json", InboxFolder.policy("restart-early", "Early"));
        inbox.drop("política-ü.json", InboxFolder.policy("restart-accent", "Accented name"));

        // First life, without a UTF-8 locale.
        Path log1 = home.resolve("life-1.log");
        service = launch(Map.of("LC_ALL", "C", "LANG", "C"), log1);
        await().atMost(START).until(() -> inbox.done("early.json").size() == 1);
        assertThat(deliveriesOf("restart-early")).hasSize(1);
        await().atMost(START).until(() -> Files.readString(log1, StandardCharsets.ISO_8859_1)
                .contains("cannot read file"));
        assertThat(Files.readString(log1, StandardCharsets.ISO_8859_1)).contains("LC_ALL=C.UTF-8");

        // A target that takes its time: the delivery is in flight when the service is killed.
        wireMock.stubFor(post(urlEqualTo(TARGET)).atPriority(1).withHeader("X-Policy-Id", equalTo("restart-inflight"))
                .willReturn(aResponse().withStatus(201).withFixedDelay(120_000)));
        inbox.drop("inflight.json", InboxFolder.policy("restart-inflight", "In flight"));
        await().atMost(START).until(() -> deliveriesOf("restart-inflight").size() == 1);
        List<String> waiting = IntStream.rangeClosed(1, 10).mapToObj(i -> "waiting-" + i + ".json").toList();
        for (int i = 1; i <= 10; i++) {
            inbox.drop("waiting-" + i + ".json", InboxFolder.policy("restart-waiting-" + i, "Waiting " + i));
        }
        service.destroyForcibly().waitFor();     // SIGKILL: no shutdown hook runs

        assertThat(inbox.inInbox("inflight.json")).isTrue();
        assertThat(inbox.inInbox("política-ü.json")).isTrue();
        assertThat(waiting).allMatch(inbox::inInbox);
        assertThat(inbox.done("inflight.json")).isEmpty();

        // Second life, same folders, a UTF-8 locale, and the target answers at once again.
        wireMock.resetMappings();
        wireMock.stubFor(post(urlEqualTo(TARGET)).willReturn(aResponse().withStatus(201)));
        inbox.drop("early-again.json", InboxFolder.policy("restart-early", "Early"));
        service = launch(Map.of("LC_ALL", "C.UTF-8", "LANG", "C"), home.resolve("life-2.log"));

        List<String> all = new ArrayList<>(waiting);
        all.addAll(List.of("inflight.json", "política-ü.json", "early-again.json"));
        await().atMost(START).until(() -> all.stream().allMatch(name -> inbox.done(name).size() == 1));

        List<LoggedRequest> inflight = deliveriesOf("restart-inflight");
        assertThat(inflight).hasSize(2);
        assertThat(inflight.get(1).getHeader("Idempotency-Key")).isEqualTo(inflight.get(0).getHeader("Idempotency-Key"));
        for (int i = 1; i <= 10; i++) {
            assertThat(deliveriesOf("restart-waiting-" + i)).as("waiting-" + i).hasSize(1);
        }
        assertThat(deliveriesOf("restart-accent")).hasSize(1);
        assertThat(deliveriesOf("restart-early")).as("deployed before the crash: live at every target after it").hasSize(1);

        Path audit = home.resolve("audit/audit.jsonl");
        String againId = AuditLogReader.fileDeployments(audit, "early-again.json").get(0);
        assertThat(AuditLogReader.stepsOf(audit, againId)).contains("duplicate").endsWith("completed");
        List<JsonNode> accent = AuditLogReader.recordsOf(audit, AuditLogReader.fileDeployments(audit, "política-ü.json").get(0));
        assertThat(accent.get(0).path("detail").asText()).contains("'política-ü.json'");
        assertThat(accent.get(accent.size() - 1).path("step").asText()).isEqualTo("completed");

        // Nothing left behind: no file in the inbox, no lock file, no hidden work folder.
        try (Stream<Path> left = Files.walk(inbox.dir())) {
            assertThat(left.filter(Files::isRegularFile)
                    .filter(p -> !p.startsWith(inbox.doneDir()) && !p.startsWith(inbox.failedDir()))
                    .toList()).isEmpty();
        }
        try (Stream<Path> dirs = Files.list(inbox.dir())) {
            assertThat(dirs.map(p -> p.getFileName().toString())).containsExactly(".done");
        }

        service.destroy();                        // SIGTERM: graceful stop
        assertThat(service.waitFor(60, TimeUnit.SECONDS)).isTrue();
        deleteRecursively(home);                  // kept for a look when the test fails
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private List<LoggedRequest> deliveriesOf(String policyId) {
        return wireMock.findAll(postRequestedFor(urlEqualTo(TARGET)).withHeader("X-Policy-Id", equalTo(policyId)));
    }

    private final int brokerPort = gov.hms.pipeline.support.PipelineTestResources.freePort();

    /** Starts the packaged service in {@code home} (so the project's config/ folder is not read). */
    private Process launch(Map<String, String> locale, Path log) throws IOException {
        String jar = System.getProperty("pipeline.jar", Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java,
                "-Dquarkus.http.port=0",
                // Operator settings found in config/ at build time are baked into the jar as defaults: switch them off.
                "-Dpipeline.targets.registry.enabled=false",
                "-Dpipeline.subscribers.events.enabled=false",
                "-Dpipeline.targets.live.url=http://127.0.0.1:" + wireMock.port() + TARGET,
                "-Dpipeline.targets.live.response-timeout=300s",
                "-Dpipeline.delivery.max-attempts=2",
                "-Dpipeline.delivery.initial-delay=100ms",
                "-Dpipeline.inbox.dir=" + inbox.dir(),
                "-Dpipeline.inbox.quiet-period=2s",
                "-Dpipeline.inbox.retry.initial-delay=1s",
                "-Dpipeline.audit.file=" + home.resolve("audit/audit.jsonl"),
                "-Dpipeline.registry.dir=" + home.resolve("registry"),
                // Both lives share one broker port and journal, never the default 61616 another run may hold.
                "-Dpipeline.broker.url=tcp://127.0.0.1:" + brokerPort,
                "-Dpipeline.broker.data-dir=" + home.resolve("broker"),
                "-jar", jar));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("LC_") || name.equals("LANG"));
        builder.environment().putAll(locale);
        return builder.start();
    }
}
