package gov.hms.pipeline.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import gov.hms.pipeline.support.IndependentAuditCheck;
import gov.hms.pipeline.support.PackagedService;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, case 5: the packaged service killed with SIGKILL while a deployment waits on a slow
 * target, after a fast one took the package. At the next start, before any new work, the cut-off
 * deployment gets its final record, {@code interrupted}, naming the target that got the package
 * (from the ledger's delivery rows), and its ledger row is {@code interrupted} too. A second process
 * started on the same data folder then refuses to start within 30 s, naming the folder and the holder.
 */
class CrashRecoveryIT {

    private final ObjectMapper mapper = new ObjectMapper();
    private WireMockServer wireMock;
    private Path home;
    private PackagedService service;

    @BeforeEach
    void start() throws IOException {
        wireMock = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        home = Files.createTempDirectory("pipeline-crash-recovery-");
        service = new PackagedService(home);
    }

    @AfterEach
    void stop() throws InterruptedException {
        service.close();
        wireMock.stop();
    }

    @Test
    void aDeploymentCutOffByKillNineEndsInterruptedWithWhatTheTargetsGotBeforeNewWork() throws Exception {
        wireMock.stubFor(post(urlEqualTo("/alpha")).willReturn(aResponse().withStatus(201)));
        wireMock.stubFor(post(urlEqualTo("/zulu")).willReturn(aResponse().withStatus(201).withFixedDelay(120_000)));
        launch(home.resolve("life-1.log"));
        service.awaitReady();
        service.http().sendAsync(policy("cut-off", "Cut off by kill -9."), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(60)).until(() -> !wireMock.findAll(postRequestedFor(urlEqualTo("/zulu"))).isEmpty());
        // Targets are delivered to in parallel (issue 19): alpha's outcome is recorded (ledger, then its
        // audit record) while zulu hangs, not necessarily before zulu's request.
        Path auditLog = home.resolve("data/audit/audit.jsonl");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(auditLog) && Files.readAllLines(auditLog).stream()
                .anyMatch(line -> line.contains("\"policyId\":\"cut-off\"") && line.contains("\"step\":\"delivered\"")));
        assertThat(wireMock.findAll(postRequestedFor(urlEqualTo("/alpha")))).hasSize(1);
        service.kill();     // SIGKILL: no shutdown hook, no final record

        wireMock.stubFor(post(urlEqualTo("/zulu")).willReturn(aResponse().withStatus(201)));
        launch(home.resolve("life-2.log"));
        service.awaitReady();
        HttpResponse<String> after = service.http().send(policy("after-restart", "New work."), HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);

        List<JsonNode> records = IndependentAuditCheck.records(home.resolve("data/audit/audit.jsonl"));
        IndependentAuditCheck.assertChain(records);
        List<JsonNode> cutOff = records.stream().filter(r -> r.path("policyId").asText().equals("cut-off")).toList();
        JsonNode last = cutOff.get(cutOff.size() - 1);
        assertThat(last.path("step").asText()).isEqualTo("interrupted");
        assertThat(last.path("outcome").asText()).isEqualTo("error");
        assertThat(last.path("source").asText()).isEqualTo("http");
        assertThat(last.path("detail").asText()).contains("alpha (HTTP 201)").contains("after its delivered record");
        assertThat(records.stream().filter(r -> r.path("step").asText().equals("interrupted"))).hasSize(1);
        int interruptedAt = records.indexOf(last);
        int newWorkAt = records.indexOf(records.stream().filter(r -> r.path("policyId").asText().equals("after-restart"))
                .findFirst().orElseThrow());
        assertThat(interruptedAt).as("recorded before new work").isLessThan(newWorkAt);

        String deploymentId = last.path("deploymentId").asText();
        JsonNode row = mapper.readTree(service.get("/api/deployments/" + deploymentId).body());
        assertThat(row.path("status").asText()).isEqualTo("interrupted");
        assertThat(Files.readString(home.resolve("life-2.log"))).contains("interrupted");

        // Issue 16: a second process on the same data folder refuses to start, at once, naming the holder.
        // Its ledger is elsewhere (as with PostgreSQL), so the broker journal is what it would wait on for ever.
        try (PackagedService second = new PackagedService(home)) {
            Process refused = second.start(home.resolve("second.log"), "-Dpipeline.inbox.enabled=false",
                    "-Dquarkus.datasource.h2.jdbc.url=jdbc:h2:file:" + home.resolve("other-ledger/ledger"));
            assertThat(refused.waitFor(30, TimeUnit.SECONDS)).as("exited within 30 s").isTrue();
            assertThat(refused.exitValue()).isNotZero();
            assertThat(Files.readString(home.resolve("second.log"))).contains("is held by another live process")
                    .contains("pid " + service.process().pid()).contains(home.resolve("data").toString());
        }
    }

    private HttpRequest policy(String id, String content) {
        return HttpRequest.newBuilder(service.uri("/api/policies")).timeout(Duration.ofSeconds(150))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"id\":\"" + id + "\",\"title\":\"Crash\",\"content\":\"" + content + "\"}"))
                .build();
    }

    /** Two targets, {@code alpha} and {@code zulu}, tried in that order. */
    private void launch(Path log) throws IOException {
        String base = "http://127.0.0.1:" + wireMock.port();
        service.start(log, "-Dpipeline.targets.alpha.url=" + base + "/alpha", "-Dpipeline.targets.zulu.url=" + base + "/zulu",
                "-Dpipeline.targets.zulu.response-timeout=150s", "-Dpipeline.inbox.enabled=false");
    }
}
