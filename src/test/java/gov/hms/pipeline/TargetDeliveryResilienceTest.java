package gov.hms.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import gov.hms.pipeline.api.DeliveryOutcome;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.api.PolicyDeploymentPipeline;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.PipelineTestResources;
import gov.hms.pipeline.support.ResilienceTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpEndpoint;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery to targets that fail, hang, throttle and drop connections, over real HTTP: two
 * WireMock targets, {@code live} (scripted per request with scenarios; 1 s timeouts) and
 * {@code mirror}; 3 attempts per target, 50 ms initial backoff.
 */
@QuarkusTest
@QuarkusTestResource(value = ResilienceTestResources.class, restrictToAnnotatedClass = true)
class TargetDeliveryResilienceTest {

    static final String LIVE = "/target/packages";
    static final String MIRROR = ResilienceTestResources.MIRROR_PATH;

    @Inject
    PolicyDeploymentPipeline pipeline;

    @Inject
    CamelContext camel;

    private WireMockServer wireMock;

    @BeforeEach
    void scriptSystems() {
        wireMock = PipelineTestResources.healthySystems();
        wireMock.stubFor(post(urlEqualTo(MIRROR)).willReturn(aResponse().withStatus(201)));
    }

    @Test
    void fiveHundredsAreRetriedUntilAcceptedWithOneKeyOnEveryAttempt() {
        script(LIVE, aResponse().withStatus(503), aResponse().withStatus(503), aResponse().withStatus(201));
        deploy().then().statusCode(200)
                .body("status", equalTo("success"))
                .body("deliveries.find { it.target == 'live' }.status", equalTo("delivered"))
                .body("deliveries.find { it.target == 'live' }.attempts", equalTo(3))
                .body("deliveries.find { it.target == 'mirror' }.attempts", equalTo(1));
        List<LoggedRequest> attempts = wireMock.findAll(postRequestedFor(urlEqualTo(LIVE)));
        assertThat(attempts).hasSize(3);
        assertThat(attempts.stream().map(r -> r.getHeader("Idempotency-Key")).distinct()).hasSize(1)
                .allSatisfy(key -> assertThat(key).matches("[0-9a-f]{64}"));
        assertThat(attempts.stream().map(LoggedRequest::getBodyAsString).distinct()).hasSize(1);
    }

    @Test
    void otherClientErrorsFailAtOnceNamingTargetStatusAndBody() {
        wireMock.stubFor(post(urlEqualTo(LIVE)).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":\"schema v2 required\"}")));
        deploy().then().statusCode(502)
                .body("status", equalTo("failure"))
                .body("error", containsString("target live: HTTP 400: {\"error\":\"schema v2 required\"}"))
                .body("deliveries.find { it.target == 'live' }.attempts", equalTo(1))
                .body("deliveries.find { it.target == 'live' }.httpStatus", equalTo(400))
                .body("deliveries.find { it.target == 'mirror' }.status", equalTo("delivered"));
        wireMock.verify(1, postRequestedFor(urlEqualTo(LIVE)));
    }

    @Test
    void aTargetThatAcceptsAndNeverAnswersFailsWithinItsTimeout() {
        // Answers after 20 s; live's response timeout is 1 s: 3 attempts of 1 s plus 150 ms of backoff.
        wireMock.stubFor(post(urlEqualTo(LIVE)).willReturn(aResponse().withStatus(201).withFixedDelay(20_000)));
        deploy().then().statusCode(502)
                .body("error", containsString("target live"))
                .body("deliveries.find { it.target == 'live' }.attempts", equalTo(3))
                .body("deliveries.find { it.target == 'live' }.httpStatus", nullValue())
                .body("deliveries.find { it.target == 'live' }.error", containsString("Timeout"));
        java.time.Instant answered = java.time.Instant.now();
        List<LoggedRequest> attempts = wireMock.findAll(postRequestedFor(urlEqualTo(LIVE)));
        assertThat(attempts).hasSize(3);
        // From the first request to the answer (start-up warm-up excluded). A bound, not a benchmark:
        // far below one 20 s answer, and the 30 s component default would not have failed at all.
        assertThat(Duration.between(attempts.get(0).getLoggedDate().toInstant(), answered)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void retryAfterOf429IsHonoured() {
        script(LIVE, aResponse().withStatus(429).withHeader("Retry-After", "2"), aResponse().withStatus(201));
        deploy().then().statusCode(200)
                .body("deliveries.find { it.target == 'live' }.attempts", equalTo(2));
        List<LoggedRequest> attempts = wireMock.findAll(postRequestedFor(urlEqualTo(LIVE)));
        assertThat(attempts).hasSize(2);
        long waitedMillis = attempts.get(1).getLoggedDate().getTime() - attempts.get(0).getLoggedDate().getTime();
        // The backoff alone would be 50 ms; only the lower bound is the point.
        assertThat(waitedMillis).isGreaterThanOrEqualTo(1_900);
    }

    @Test
    void aConnectionDroppedMidRequestIsRetried() {
        script(LIVE, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), aResponse().withFault(Fault.EMPTY_RESPONSE),
                aResponse().withStatus(201));
        deploy().then().statusCode(200)
                .body("deliveries.find { it.target == 'live' }.status", equalTo("delivered"))
                .body("deliveries.find { it.target == 'live' }.attempts", equalTo(3));
        wireMock.verify(3, postRequestedFor(urlEqualTo(LIVE)));
    }

    @Test
    void hundredsOfFailedRequestsDoNotExhaustTheConnectionPool() {
        wireMock.stubFor(post(urlEqualTo(LIVE)).willReturn(aResponse().withStatus(404).withBody("no such endpoint")));
        for (int i = 0; i < 200; i++) {
            DeploymentResult result = pipeline.deploy("{\"id\":\"pool-" + i + "\",\"title\":\"t\",\"content\":\"c\"}");
            assertThat(result.httpStatus()).as("deployment %d", i).isEqualTo(502);
            assertThat(live(result).httpStatus()).isEqualTo(404);
            assertThat(live(result).attempts()).isEqualTo(1);
        }
        wireMock.stubFor(post(urlEqualTo(LIVE)).willReturn(aResponse().withStatus(201)));
        DeploymentResult last = pipeline.deploy("{\"id\":\"pool-last\",\"title\":\"t\",\"content\":\"c\"}");
        assertThat(last.status()).isEqualTo("success");
        assertThat(live(last).httpStatus()).isEqualTo(201);
        wireMock.verify(201, postRequestedFor(urlEqualTo(LIVE)));
        // Targets share endpoints (one per pair of timeouts; the URL goes with each request).
        List<HttpEndpoint> liveEndpoints = camel.getEndpoints().stream()
                .filter(e -> e instanceof HttpEndpoint && e.getEndpointUri().contains("targets.invalid"))
                .map(HttpEndpoint.class::cast).toList();
        assertThat(liveEndpoints).isNotEmpty().allSatisfy(e -> assertThat(e.getClientConnectionsPoolStatsLeased()).isZero());
    }

    @Test
    void oneFailingTargetIsNamedKeptAsDeadLetterAndRetriedAfterItRecovers() {
        wireMock.stubFor(post(urlEqualTo(MIRROR)).willReturn(aResponse().withStatus(500).withBody("disk full")));
        Response failed = deploy().then().statusCode(502)
                .body("error", containsString("target mirror: HTTP 500: disk full"))
                .body("deliveries.find { it.target == 'live' }.status", equalTo("delivered"))
                .body("deliveries.find { it.target == 'mirror' }.status", equalTo("failed"))
                .body("deliveries.find { it.target == 'mirror' }.attempts", equalTo(3))
                .extract().response();
        String id = failed.path("deploymentId");
        String key = failed.path("policySha256");
        assertThat((String) failed.path("error")).contains("dead letter " + id);
        // Subscribers are told once the deployment ends, with the targets reached and not reached (issue 19).
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), id))
                .containsExactly("received", "validated", "packaged", "delivered", "delivery-failed", "notified",
                        "notified", "failed");
        assertThat(AuditLogReader.recordsOf(PipelineTestResources.auditFile(), id).get(7).path("detail").asText())
                .contains("target mirror");
        assertThat(wireMock.findAll(postRequestedFor(urlEqualTo("/records/events"))).stream()
                .filter(r -> r.getBodyAsString().contains(id)))
                .singleElement().satisfies(event -> assertThat(event.getBodyAsString())
                        .contains("\"targets\":[\"live\"]").contains("\"notReached\":[\"mirror\"]"));

        given().when().get("/api/dead-letters/" + id).then().statusCode(200)
                .body("id", equalTo(id))
                .body("policyId", org.hamcrest.Matchers.startsWith("resilience-"))
                .body("idempotencyKey", equalTo(key))
                .body("delivered", equalTo(List.of("live")))
                .body("missing[0].target", equalTo("mirror"))
                .body("missing[0].error", equalTo("HTTP 500: disk full"))
                .body("packages[0].format", equalTo("json"));
        List<String> listed = given().when().get("/api/dead-letters").then().statusCode(200).extract().path("id");
        assertThat(listed).contains(id);

        wireMock.resetRequests();
        wireMock.stubFor(post(urlEqualTo(MIRROR)).willReturn(aResponse().withStatus(201)));
        Response retried = given().when().post("/api/dead-letters/" + id + "/retry").then().statusCode(200)
                .body("status", equalTo("success"))
                .body("policySha256", equalTo(key))
                .body("deliveries.size()", equalTo(1))
                .body("deliveries[0].target", equalTo("mirror"))
                .body("deliveries[0].status", equalTo("delivered"))
                .extract().response();
        wireMock.verify(0, postRequestedFor(urlEqualTo(LIVE)));
        List<LoggedRequest> resent = wireMock.findAll(postRequestedFor(urlEqualTo(MIRROR)));
        assertThat(resent).hasSize(1);
        assertThat(resent.get(0).getHeader("Idempotency-Key")).isEqualTo(key);

        String retryId = retried.path("deploymentId");
        List<JsonNode> audit = AuditLogReader.recordsOf(PipelineTestResources.auditFile(), retryId);
        assertThat(audit).extracting(r -> r.path("step").asText())
                .startsWith("received", "delivered").contains("notified").endsWith("completed");
        assertThat(audit.get(0).path("detail").asText()).contains("retry of dead letter " + id);
        assertThat(audit.get(1).path("detail").asText()).contains("target mirror");

        given().when().get("/api/dead-letters/" + id).then().statusCode(404).body("status", equalTo("failure"));
        given().when().post("/api/dead-letters/" + id + "/retry").then().statusCode(404);
    }

    @Test
    void aRetryThatStillFailsKeepsTheDeadLetterAndDiscardIsAudited() {
        wireMock.stubFor(post(urlEqualTo(MIRROR)).willReturn(aResponse().withStatus(503)));
        String id = deploy().then().statusCode(502).extract().path("deploymentId");

        Response retried = given().when().post("/api/dead-letters/" + id + "/retry").then().statusCode(502)
                .body("status", equalTo("failure"))
                .body("error", containsString("target mirror: HTTP 503"))
                .extract().response();
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), retried.path("deploymentId")))
                .containsExactly("received", "delivery-failed", "failed");
        given().when().get("/api/dead-letters/" + id).then().statusCode(200)
                .body("retries", equalTo(1))
                .body("delivered", equalTo(List.of("live")));

        given().when().delete("/api/dead-letters/" + id).then().statusCode(200)
                .body("status", equalTo("success")).body("discarded", equalTo(id));
        given().when().get("/api/dead-letters/" + id).then().statusCode(404);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), id)).endsWith("dead-letter-discarded"));
        JsonNode discarded = AuditLogReader.recordsOf(PipelineTestResources.auditFile(), id).stream()
                .filter(r -> r.path("step").asText().equals("dead-letter-discarded")).findFirst().orElseThrow();
        assertThat(discarded.path("detail").asText()).contains("discarded").contains("mirror");
        assertThat(discarded.path("policyId").asText()).startsWith("resilience-");
    }

    @Test
    void deadLetterIdsAreValidatedAndNeverBecomePaths() {
        for (String bad : List.of("not-a-uuid", "..", "0F0F0F0F-1111-4222-8333-444444444444", "%2e%2e%2fsecrets")) {
            given().urlEncodingEnabled(false).when().get("/api/dead-letters/" + bad)
                    .then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(404)));
            given().urlEncodingEnabled(false).when().post("/api/dead-letters/" + bad + "/retry")
                    .then().statusCode(org.hamcrest.Matchers.anyOf(equalTo(400), equalTo(404)));
        }
        given().when().get("/api/dead-letters/not-a-uuid").then().statusCode(400)
                .contentType("application/json").body("status", equalTo("failure"));
        given().when().delete("/api/dead-letters/0f0f0f0f-1111-4222-8333-444444444444").then().statusCode(404)
                .body("status", equalTo("failure"));
    }

    private static Response deploy() {
        return given().contentType("application/json").body(HttpDeploymentTest.seedCopy("resilience")).when().post("/api/policies");
    }

    private static DeliveryOutcome live(DeploymentResult result) {
        return result.deliveries().stream().filter(d -> d.target().equals("live")).findFirst().orElseThrow();
    }

    /** One answer per request, in order; the last one repeats (WireMock scenario). */
    private void script(String path, ResponseDefinitionBuilder... answers) {
        String scenario = "script " + path;
        for (int i = 0; i < answers.length; i++) {
            var stub = post(urlEqualTo(path)).inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i)
                    .willReturn(answers[i]);
            if (i < answers.length - 1) {
                stub = stub.willSetStateTo("answer " + (i + 1));
            }
            wireMock.stubFor(stub);
        }
    }
}
