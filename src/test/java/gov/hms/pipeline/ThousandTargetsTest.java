package gov.hms.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import gov.hms.pipeline.support.PipelineTestResources;
import gov.hms.pipeline.support.ThousandTargetsTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpEndpoint;
import org.junit.jupiter.api.Test;

/**
 * Fan-out to a thousand targets (issue 19), over real HTTP: one stub serves them on random paths; 1 %
 * are dead (half refuse connections, half hang until the response timeout), 1 % answer after 5 s
 * ({@link ThousandTargetsTestResources}). The shipped bound, 16 deliveries in flight.
 */
@QuarkusTest
@QuarkusTestResource(value = ThousandTargetsTestResources.class, restrictToAnnotatedClass = true)
class ThousandTargetsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @jakarta.inject.Inject
    CamelContext camel;

    @Test
    void everyLiveTargetGetsThePackageOnceTheDeadAreDeadLetteredAndTheSlowHoldNobody() throws Exception {
        PipelineTestResources.healthySystems();
        WireMockServer stub = ThousandTargetsTestResources.allHealthy();
        // The same fan-out with no slow or hanging target (the refusing ones fail at once): how long the
        // thousand take on this machine now.
        Duration healthy = timed(() -> deploy("thousand-healthy").then().statusCode(502)
                .body("counts.targets", org.hamcrest.Matchers.equalTo(1000))
                .body("counts.delivered", org.hamcrest.Matchers.equalTo(1000 - ThousandTargetsTestResources.EACH)));
        assertThat(stub.findAll(postRequestedFor(anyUrl()))).hasSize(1000 - ThousandTargetsTestResources.EACH);

        stub = ThousandTargetsTestResources.scriptTargets();
        PipelineTestResources.healthySystems();
        long started = System.nanoTime();
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> deploy("thousand-faulty"));

        // Progress in the metrics while it runs: one fan-out, its thousand targets delivered, failed or pending.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                metric("pipeline_fanout_deployments", null) == 1 && metric("pipeline_fanout_targets", "delivered") > 0);
        String scrape = metrics();
        assertThat(value(scrape, "pipeline_fanout_targets", "delivered") + value(scrape, "pipeline_fanout_targets", "failed")
                + value(scrape, "pipeline_fanout_targets", "pending")).isEqualTo(1000);

        Response response = answer.get(2, TimeUnit.MINUTES);
        Duration faulty = Duration.ofNanos(System.nanoTime() - started);
        assertThat(metric("pipeline_fanout_deployments", null)).isZero();
        assertThat(metric("pipeline_fanout_targets", "pending")).isZero();

        // A synchronous answer stays 502, naming counts; every target has its outcome.
        response.then().statusCode(502)
                .body("counts.targets", org.hamcrest.Matchers.equalTo(1000))
                .body("counts.delivered", org.hamcrest.Matchers.equalTo(990))
                .body("counts.failed", org.hamcrest.Matchers.equalTo(10));
        Set<String> dead = new HashSet<>(ThousandTargetsTestResources.refusing());
        dead.addAll(ThousandTargetsTestResources.hanging());
        List<Map<String, Object>> failed = response.path("deliveries.findAll { it.status == 'failed' }");
        assertThat(failed).extracting(d -> (String) d.get("target")).containsExactlyInAnyOrderElementsOf(dead);

        // Every live target received the package exactly once for this intent (the slow ones too: no retry).
        Map<String, List<LoggedRequest>> byPath = stub.findAll(postRequestedFor(anyUrl())).stream()
                .collect(Collectors.groupingBy(LoggedRequest::getUrl));
        Map<String, String> paths = ThousandTargetsTestResources.paths();
        String key = null;
        for (Map.Entry<String, String> target : paths.entrySet()) {
            if (ThousandTargetsTestResources.refusing().contains(target.getKey())) {
                continue;
            }
            List<LoggedRequest> requests = byPath.getOrDefault(target.getValue(), List.of());
            int expected = ThousandTargetsTestResources.hanging().contains(target.getKey()) ? 2 : 1;
            assertThat(requests).as("requests of %s", target.getKey()).hasSize(expected);
            key = key == null ? requests.get(0).getHeader("Idempotency-Key") : key;
            assertThat(requests).allSatisfy(r -> assertThat(r.getHeader("X-Policy-Id")).isEqualTo("thousand-faulty"));
        }
        String intent = key;
        assertThat(stub.findAll(postRequestedFor(anyUrl()))).allSatisfy(r ->
                assertThat(r.getHeader("Idempotency-Key")).isEqualTo(intent));

        // The dead ones are dead-lettered: one entry, missing exactly them.
        String id = response.path("deploymentId");
        List<String> missing = given().when().get("/api/dead-letters/" + id).then().statusCode(200)
                .extract().path("missing.target");
        assertThat(missing).containsExactlyInAnyOrderElementsOf(dead);

        // The slow ones delayed nobody beyond their own time: while each waited 5 s, others kept being
        // delivered, and the whole fan-out took at most the healthy one plus the slowest target's own
        // time (two attempts that each end at the response timeout) and a margin for a busy machine.
        for (String slow : ThousandTargetsTestResources.slow()) {
            Instant asked = byPath.get(ThousandTargetsTestResources.pathOf(slow)).get(0).getLoggedDate().toInstant();
            Instant answered = asked.plusMillis(ThousandTargetsTestResources.SLOW_MILLIS);
            long others = stub.findAll(postRequestedFor(anyUrl())).stream()
                    .map(r -> r.getLoggedDate().toInstant())
                    .filter(t -> t.isAfter(asked) && t.isBefore(answered)).count();
            boolean lastOnes = answered.isAfter(lastRequest(stub));
            assertThat(others > 0 || lastOnes).as("targets delivered while %s was answering", slow).isTrue();
        }
        Duration ownTime = Duration.ofSeconds(2L * ThousandTargetsTestResources.RESPONSE_TIMEOUT_SECONDS);
        assertThat(faulty).as("fan-out with 2 %% slow or dead (healthy: %s)", healthy)
                .isLessThan(healthy.plus(ownTime).plusSeconds(10));
        assertThat(faulty).as("the deployment ends when every target has an outcome").isGreaterThanOrEqualTo(ownTime);

        // The ledger: failed, with counts; the failed ones listed by default, every delivery on request.
        given().when().get("/api/deployments/" + id).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("failed"))
                .body("counts.targets", org.hamcrest.Matchers.equalTo(1000))
                .body("counts.delivered", org.hamcrest.Matchers.equalTo(990))
                .body("counts.failed", org.hamcrest.Matchers.equalTo(10))
                .body("targets.size()", org.hamcrest.Matchers.equalTo(10));
        List<Map<String, Object>> all = given().queryParam("deliveries", "all").when().get("/api/deployments/" + id)
                .then().statusCode(200).extract().path("targets");
        assertThat(all).hasSize(1000);
        assertThat(all).filteredOn(d -> ThousandTargetsTestResources.hanging().contains((String) d.get("target")))
                .allSatisfy(d -> assertThat(d.get("attempts")).isEqualTo(2));
        given().queryParam("deliveries", "some").when().get("/api/deployments/" + id).then().statusCode(400);

        // Subscribers are told once, with the targets reached and those not.
        LoggedRequest event = PipelineTestResources.wireMock().findAll(postRequestedFor(urlEqualTo("/records/events")))
                .stream().filter(r -> r.getBodyAsString().contains(id)).findFirst().orElseThrow();
        assertThat(PipelineTestResources.wireMock().findAll(postRequestedFor(urlEqualTo("/records/events")))
                .stream().filter(r -> r.getBodyAsString().contains(id))).hasSize(1);
        JsonNode data = JSON.readTree(event.getBodyAsString()).get("data");
        assertThat(data.get("targets")).hasSize(990);
        List<String> notReached = new ArrayList<>();
        data.get("notReached").forEach(n -> notReached.add(n.asText()));
        assertThat(notReached).containsExactlyInAnyOrderElementsOf(dead);

        // Progress in the log: a line per tenth of the targets, the last one the end.
        List<String> progress = Files.readAllLines(ThousandTargetsTestResources.serviceLog(PipelineTestResources.dataDir()))
                .stream().filter(line -> line.contains("deployment " + id + ": policy thousand-faulty: fan-out ")).toList();
        assertThat(progress).hasSizeBetween(9, 12)
                .allSatisfy(line -> assertThat(line).containsPattern("fan-out [0-9]+ of 1000 targets done in [0-9.]+ s: "
                        + "delivered [0-9]+, failed [0-9]+, pending [0-9]+"));
        assertThat(progress.get(progress.size() - 1)).contains("1000 of 1000 targets done")
                .contains("delivered 990, failed 10, pending 0");

        // A handful of shared endpoints, not one per target URL, and none of their connections left leased.
        List<HttpEndpoint> endpoints = camel.getEndpoints().stream().filter(HttpEndpoint.class::isInstance)
                .map(HttpEndpoint.class::cast).toList();
        assertThat(endpoints).hasSizeLessThan(10)
                .allSatisfy(e -> assertThat(e.getClientConnectionsPoolStatsLeased()).isZero());
    }

    /** A gauge's value in /q/metrics (Prometheus text), with the tag {@code state} when given. */
    private static double metric(String name, String state) {
        return value(metrics(), name, state);
    }

    private static String metrics() {
        return given().accept("text/plain").when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** A gauge's value in one scrape. */
    private static double value(String text, String name, String state) {
        Matcher found = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? (\\S+)$").matcher(text);
        while (found.find()) {
            if (state == null || String.valueOf(found.group(1)).contains("state=\"" + state + "\"")) {
                return Double.parseDouble(found.group(2));
            }
        }
        throw new AssertionError(name + " " + state + " is not in /q/metrics");
    }

    private static Instant lastRequest(WireMockServer stub) {
        return stub.findAll(postRequestedFor(anyUrl())).stream().map(r -> r.getLoggedDate().toInstant())
                .max(Instant::compareTo).orElseThrow();
    }

    private static Response deploy(String policyId) {
        return given().contentType("application/json")
                .body("{\"id\":\"" + policyId + "\",\"title\":\"To a thousand\",\"content\":\"Everyone.\"}")
                .when().post("/api/policies");
    }

    private static Duration timed(Runnable work) {
        long started = System.nanoTime();
        work.run();
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
