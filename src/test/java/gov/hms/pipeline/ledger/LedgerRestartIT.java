package gov.hms.pipeline.ledger;

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
import gov.hms.pipeline.support.PackageVerifier;
import gov.hms.pipeline.support.PipelineTestResources;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged service as a real process on the embedded H2 ledger: killed with SIGKILL right after
 * a deployment answered success, then started again on the same data folder. Every committed row
 * must be there (the group commit), with the archived package byte for byte.
 */
class LedgerRestartIT {

    private static final String TARGET = "/target/packages";
    private static final Duration START = Duration.ofMinutes(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private WireMockServer wireMock;
    private Path home;
    private Process service;
    private int port;

    @BeforeEach
    void start() throws IOException {
        wireMock = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        wireMock.stubFor(post(urlEqualTo(TARGET)).willReturn(aResponse().withStatus(201)));
        home = Files.createTempDirectory("pipeline-ledger-restart-");
        port = PipelineTestResources.freePort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (service != null && service.isAlive()) {
            service.destroyForcibly().waitFor();
        }
        wireMock.stop();
    }

    /**
     * What version 0.5.0 leaves in its working folder: a configuration with the keys 0.6.0 deprecated,
     * the file archive, the inbox's key file, a dead letter and a pending notification as files.
     */
    private void leaveA050DataFolder() throws IOException {
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/application.properties"),
                "pipeline.packaging.archive-dir=data/packages\npipeline.inbox.repository-file=data/state/inbox-deployed-sha256.txt\n");
        Files.createDirectories(home.resolve("data/packages/old-policy"));
        Files.createDirectories(home.resolve("data/state"));
        Files.writeString(home.resolve("data/state/inbox-deployed-sha256.txt"), "0".repeat(64) + "\n");
        Files.createDirectories(home.resolve("data/dead-letters"));
        Files.writeString(home.resolve("data/dead-letters/11111111-2222-4333-8444-555555555555.json"),
                "{\"id\":\"11111111-2222-4333-8444-555555555555\",\"policyId\":\"old-policy\"}");
        Files.createDirectories(home.resolve("data/outbox"));
        Files.writeString(home.resolve("data/outbox/66666666-7777-4888-8999-000000000000.json"), mapper.writeValueAsString(
                new gov.hms.pipeline.notification.OutboxEntry("66666666-7777-4888-8999-000000000000", "events",
                        "msg_old", "0f0f0f0f-1111-4222-8333-444444444444", "old-policy", null, "HTTP", "anonymous",
                        "{\"specversion\":\"1.0\"}", "2026-11-30T00:00:00Z", 1, "2026-11-30T00:00:05Z", "HTTP 503")));
    }

    @Test
    void aDeploymentAnsweredJustBeforeAKillIsInTheLedgerAfterTheRestart() throws Exception {
        leaveA050DataFolder();
        Path firstLog = home.resolve("life-1.log");
        service = launch(firstLog);
        awaitReady();
        // The 0.5.0 folder: the configuration still starts, the outbox file is imported and moved
        // aside, the dead-letter file is left alone with a warning naming its folder.
        assertThat(home.resolve("data/outbox/imported/66666666-7777-4888-8999-000000000000.json")).exists();
        assertThat(home.resolve("data/outbox/66666666-7777-4888-8999-000000000000.json")).doesNotExist();
        assertThat(home.resolve("data/dead-letters/11111111-2222-4333-8444-555555555555.json")).exists();
        assertThat(Files.readString(firstLog)).contains("1 dead letter file(s) of version 0.5.0 are in")
                .contains("imported 1 entry file(s) of a 0.5.0 outbox");
        HttpResponse<String> answer = send(HttpRequest.newBuilder(uri("/api/policies"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"id\":\"restart-ledger\",\"title\":\"Kept\",\"version\":\"1.0.0\",\"content\":\"Survives kill -9.\"}")));
        assertThat(answer.statusCode()).isEqualTo(200);
        service.destroyForcibly().waitFor();     // SIGKILL at once: no shutdown hook, no H2 close

        service = launch(home.resolve("life-2.log"));
        awaitReady();
        JsonNode live = mapper.readTree(send(HttpRequest.newBuilder(uri("/api/policies/restart-ledger")).GET()).body());
        assertThat(live.path("revision").asInt()).isEqualTo(1);
        assertThat(live.path("version").asText()).isEqualTo("1.0.0");
        assertThat(live.at("/targets/0/target").asText()).isEqualTo("live");
        assertThat(live.at("/targets/0/inSync").asBoolean()).isTrue();

        String deploymentId = mapper.readTree(answer.body()).path("deploymentId").asText();
        JsonNode deployment = mapper.readTree(send(HttpRequest.newBuilder(uri("/api/deployments/" + deploymentId)).GET()).body());
        assertThat(deployment.path("status").asText()).isEqualTo("completed");

        HttpResponse<byte[]> archived = http.send(HttpRequest.newBuilder(uri("/api/policies/restart-ledger/versions/1.0.0/package"))
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] delivered = wireMock.findAll(postRequestedFor(urlEqualTo(TARGET))).get(0).getBody();
        assertThat(archived.body()).isEqualTo(delivered);
        assertThat(archived.headers().firstValue("X-Package-Sha256")).contains(PackageVerifier.sha256Hex(delivered));

        // The same content after the restart: live everywhere, nothing delivered again.
        HttpResponse<String> again = send(HttpRequest.newBuilder(uri("/api/policies"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"id\":\"restart-ledger\",\"title\":\"Kept\",\"version\":\"1.0.0\",\"content\":\"Survives kill -9.\"}")));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(wireMock.findAll(postRequestedFor(urlEqualTo(TARGET)))).hasSize(1);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitReady() {
        await().atMost(START).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                send(HttpRequest.newBuilder(uri("/q/health/ready")).GET()).statusCode() == 200);
    }

    /** Starts the packaged service in {@code home} (so the project's config/ folder is not read). */
    private Process launch(Path log) throws IOException {
        String jar = System.getProperty("pipeline.jar", Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java,
                "-Dquarkus.http.port=" + port,
                "-Dpipeline.security.enabled=false",
                "-Dpipeline.targets.registry.enabled=false",
                "-Dpipeline.subscribers.events.enabled=false",
                "-Dpipeline.targets.live.url=http://127.0.0.1:" + wireMock.port() + TARGET,
                "-Dpipeline.inbox.enabled=false",
                "-Dpipeline.broker.url=tcp://127.0.0.1:" + PipelineTestResources.freePort(),
                "-jar", jar));
        return new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }
}
