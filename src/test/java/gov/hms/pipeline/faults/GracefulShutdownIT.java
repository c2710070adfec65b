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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, case 3: SIGTERM while a slow target holds 8 deployments. Every accepted caller is
 * answered (no dropped connection), a request arriving during the drain gets the contract's JSON
 * 503 with {@code Retry-After}, and the audit log is closed last, cleanly.
 */
class GracefulShutdownIT {

    private static final int IN_FLIGHT = 8;

    private final ObjectMapper mapper = new ObjectMapper();
    private WireMockServer wireMock;
    private Path home;
    private PackagedService service;

    @BeforeEach
    void start() throws IOException {
        wireMock = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(IN_FLIGHT * 4));
        wireMock.start();
        home = Files.createTempDirectory("pipeline-shutdown-");
        service = new PackagedService(home);
    }

    @AfterEach
    void stop() throws InterruptedException {
        service.close();
        wireMock.stop();
    }

    @Test
    void sigtermWithSlowWorkInFlightAnswersEveryCallerAndRefusesNewWorkWithJson() throws Exception {
        wireMock.stubFor(post(urlEqualTo("/slow")).willReturn(aResponse().withStatus(201).withFixedDelay(8_000)));
        Process process = service.start(home.resolve("service.log"),
                "-Dpipeline.targets.slow.url=http://127.0.0.1:" + wireMock.port() + "/slow", "-Dpipeline.inbox.enabled=false");
        service.awaitReady();
        HttpClient http = service.http();

        List<CompletableFuture<HttpResponse<String>>> callers = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
            callers.add(http.sendAsync(policy("shutdown-" + i), HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                wireMock.findAll(postRequestedFor(urlEqualTo("/slow"))).size() == IN_FLIGHT);
        process.destroy();      // SIGTERM

        HttpResponse<String> refused = await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
                .until(() -> http.send(policy("too-late"), HttpResponse.BodyHandlers.ofString()),
                        answer -> answer.statusCode() == 503);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(mapper.readTree(refused.body()).path("status").asText()).isEqualTo("failure");
        assertThat(mapper.readTree(refused.body()).path("error").asText()).contains("shutting down");

        for (CompletableFuture<HttpResponse<String>> caller : callers) {
            HttpResponse<String> answer = caller.get(60, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped").isTrue();

        List<JsonNode> records = IndependentAuditCheck.records(home.resolve("data/audit/audit.jsonl"));
        IndependentAuditCheck.assertChain(records);
        assertThat(records.stream().filter(r -> r.path("step").asText().equals("completed"))).hasSize(IN_FLIGHT);
        assertThat(records.stream().filter(r -> r.path("policyId").asText().equals("too-late"))).isEmpty();
        assertThat(Files.readString(home.resolve("service.log"))).contains("audit log").contains("closed at");
    }

    private HttpRequest policy(String id) {
        return HttpRequest.newBuilder(service.uri("/api/policies")).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"title\":\"Stop\",\"content\":\"Slow.\"}"))
                .build();
    }
}
