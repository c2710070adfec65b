package gov.hms.pipeline.ledger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import gov.hms.pipeline.support.PackagedService;
import gov.hms.pipeline.support.PipelineTestResources;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scheduled activations across process lives (issue 19), with the packaged jar: one instance
 * killed (SIGKILL) between scheduling and the instant, then started again, delivers once, on time,
 * an activation due after its restart, and at start-up, marked late, one that came due while it was
 * down; two instances on one PostgreSQL database deliver each due activation exactly once.
 */
class ScheduledActivationIT {

    private static final String TARGET = "/target/packages";
    private static final Duration TOLERANCE = Duration.ofSeconds(2);

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<PackagedService> services = new ArrayList<>();
    private WireMockServer wireMock;
    private EmbeddedPostgres postgres;

    @BeforeEach
    void target() {
        wireMock = PipelineTestResources.startLoopbackWireMock();
        wireMock.stubFor(post(urlEqualTo(TARGET)).willReturn(aResponse().withStatus(201)));
    }

    @AfterEach
    void stop() throws Exception {
        for (PackagedService service : services) {
            service.close();
        }
        wireMock.stop();
        if (postgres != null) {
            postgres.close();
        }
    }

    private PackagedService service(Path home) {
        PackagedService service = new PackagedService(home);
        services.add(service);
        return service;
    }

    private String[] settings(String instance, String... more) {
        List<String> all = new ArrayList<>(List.of("-Dpipeline.targets.live.url=http://127.0.0.1:" + wireMock.port() + TARGET,
                "-Dpipeline.audit.instance=" + instance, "-Dpipeline.delivery.max-attempts=2"));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private JsonNode schedule(PackagedService service, String id, Instant activateAt) throws Exception {
        HttpResponse<String> answer = service.http().send(HttpRequest.newBuilder(service.uri("/api/policies"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"id\":\"" + id + "\",\"title\":\"New year rule\",\"content\":\"Effective at the instant.\","
                                + "\"activateAt\":\"" + activateAt.truncatedTo(ChronoUnit.MILLIS) + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return mapper.readTree(answer.body());
    }

    private JsonNode status(PackagedService service, String deploymentId) throws Exception {
        return mapper.readTree(service.get("/api/deployments/" + deploymentId).body());
    }

    private List<LoggedRequest> deliveries(String policyId) {
        return wireMock.findAll(postRequestedFor(urlEqualTo(TARGET)).withHeader("X-Policy-Id", equalTo(policyId)));
    }

    @Test
    void aKilledAndRestartedServiceDeliversEachActivationOnceDueWhileDownAtStartUpMarkedLate() throws Exception {
        Path home = Files.createTempDirectory("pipeline-scheduled-restart-");
        PackagedService service = service(home);
        service.start(home.resolve("life-1.log"), settings("restart"));
        service.awaitReady();
        Instant whileDown = Instant.now().plusSeconds(2);
        Instant afterRestart = Instant.now().plusSeconds(35);
        String downId = schedule(service, "due-while-down", whileDown).path("deploymentId").asText();
        String laterId = schedule(service, "due-after-restart", afterRestart).path("deploymentId").asText();
        service.kill(); // SIGKILL: no shutdown hook
        // Down for longer than pipeline.scheduling.tolerance (5 s) past the instant, so "late" does not
        // depend on how fast the restart is (it once took under 4 s, and the activation was on time).
        await().atMost(Duration.ofSeconds(20)).until(() -> Instant.now().isAfter(whileDown.plusSeconds(6)));
        assertThat(deliveries("due-while-down")).as("nothing while the service is down").isEmpty();

        service.start(home.resolve("life-2.log"), settings("restart"));
        service.awaitReady();
        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries("due-while-down").size() == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> "completed".equals(status(service, downId).path("status").asText()));
        JsonNode late = status(service, downId);
        assertThat(late.at("/schedule/late").asBoolean()).as(late.toString()).isTrue();
        assertThat(late.at("/schedule/lateMillis").asLong()).isGreaterThan(1000);

        assertThat(Instant.now()).as("the restart took less than the second activation's lead").isBefore(afterRestart);
        await().atMost(Duration.between(Instant.now(), afterRestart.plus(TOLERANCE))).pollInterval(Duration.ofMillis(50))
                .until(() -> deliveries("due-after-restart").size() == 1);
        assertThat(deliveries("due-after-restart").get(0).getLoggedDate().toInstant())
                .isAfterOrEqualTo(afterRestart.truncatedTo(ChronoUnit.MILLIS));
        await().atMost(Duration.ofSeconds(10)).until(() -> "completed".equals(status(service, laterId).path("status").asText()));
        assertThat(status(service, laterId).at("/schedule/late").asBoolean()).isFalse();

        // Exactly once each, also after a while.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> deliveries("due-while-down").size() == 1 && deliveries("due-after-restart").size() == 1);
    }

    @Test
    void twoInstancesOnOnePostgresDeliverEachDueActivationExactlyOnce() throws Exception {
        Path base = Files.createTempDirectory("pipeline-scheduled-cluster-");
        postgres = EmbeddedPostgres.builder().setDataDirectory(base.resolve("postgres")).setCleanDataDirectory(true).start();
        String[] database = {"-Dquarkus.datasource.h2.active=false", "-Dquarkus.datasource.postgresql.active=true",
                "-Dquarkus.datasource.postgresql.jdbc.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "-Dquarkus.datasource.postgresql.username=postgres", "-Dquarkus.datasource.postgresql.password=postgres"};
        List<PackagedService> cluster = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            Path home = Files.createDirectories(base.resolve(name));
            PackagedService service = service(home);
            service.start(home.resolve("service.log"), settings(name, database));
            cluster.add(service);
        }
        for (PackagedService service : cluster) {
            service.awaitReady();
        }
        Instant activateAt = Instant.now().plusSeconds(4);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add("cluster-rule-" + i);
            schedule(cluster.get(i % 2), "cluster-rule-" + i, activateAt);
        }
        await().atMost(Duration.between(Instant.now(), activateAt.plusSeconds(10)))
                .until(() -> ids.stream().allMatch(id -> deliveries(id).size() == 1));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> ids.stream().allMatch(id -> deliveries(id).size() == 1));
        for (String id : ids) {
            assertThat(deliveries(id).get(0).getLoggedDate().toInstant()).as(id)
                    .isAfterOrEqualTo(activateAt.truncatedTo(ChronoUnit.MILLIS));
        }
    }
}
