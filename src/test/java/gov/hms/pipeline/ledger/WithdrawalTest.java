package gov.hms.pipeline.ledger;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.LedgerTestResources;
import gov.hms.pipeline.support.PackageVerifier;
import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Withdrawal (issue 19, docs/scheduling.md): {@code DELETE /api/policies/{id}} with a reason
 * delivers the policy's tombstone package to every target, tells subscribers with a
 * {@code gov.hms.policy.withdrawn} CloudEvent, shows the policy withdrawn in the catalogue and
 * keeps it in the history.
 */
@QuarkusTest
@QuarkusTestResource(value = LedgerTestResources.class, restrictToAnnotatedClass = true)
class WithdrawalTest {

    private static final String LIVE = "/target/packages";
    private static final String STANDBY = LedgerTestResources.STANDBY;
    private final ObjectMapper mapper = new ObjectMapper();
    private WireMockServer wireMock;

    @BeforeEach
    void healthy() {
        wireMock = LedgerTestResources.healthyTargets();
    }

    private List<LoggedRequest> deliveries(String path, String policyId) {
        return wireMock.findAll(postRequestedFor(urlEqualTo(path)).withHeader("X-Policy-Id", equalTo(policyId)));
    }

    private static Response withdraw(String id, String body) {
        return given().contentType("application/json").body(body).when().delete("/api/policies/" + id);
    }

    @Test
    void aWithdrawnPolicyReachesEveryTargetAsATombstoneAndTheHistoryKeepsIt() throws Exception {
        String id = "withdrawn-rule";
        Response deployed = given().contentType("application/json")
                .body("{\"id\":\"" + id + "\",\"title\":\"Mask rule\",\"version\":\"1.0.0\",\"content\":\"Masks indoors.\"}")
                .when().post("/api/policies");
        assertThat(deployed.statusCode()).isEqualTo(200);

        Response withdrawn = withdraw(id, "{\"reason\":\"rescinded by the board on 2026-11-30\"}");
        assertThat(withdrawn.statusCode()).isEqualTo(200);
        assertThat(withdrawn.jsonPath().getString("status")).isEqualTo("success");
        assertThat(withdrawn.jsonPath().getList("deliveries.target")).containsExactly("live", "standby");

        for (String path : List.of(LIVE, STANDBY)) {
            List<LoggedRequest> sent = deliveries(path, id);
            assertThat(sent).as(path).hasSize(2);
            LoggedRequest tombstone = sent.get(1);
            assertThat(PackageVerifier.sha256Hex(tombstone.getBody())).isEqualTo(tombstone.getHeader("X-Package-Sha256"));
            JsonNode policy = mapper.readTree(tombstone.getBody()).path("policy");
            assertThat(policy.path("id").asText()).isEqualTo(id);
            assertThat(policy.path("status").asText()).isEqualTo("withdrawn");
            assertThat(policy.at("/withdrawal/version").asText()).isEqualTo("1.0.0");
            assertThat(policy.at("/withdrawal/revision").asInt()).isEqualTo(1);
            assertThat(policy.at("/withdrawal/policySha256").asText()).isEqualTo(deployed.jsonPath().getString("policySha256"));
            assertThat(policy.at("/withdrawal/reason").asText()).isEqualTo("rescinded by the board on 2026-11-30");
            assertThat(tombstone.getHeader("Idempotency-Key")).isEqualTo(withdrawn.jsonPath().getString("policySha256"));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> !wireMock.findAll(postRequestedFor(urlEqualTo("/scheduling/events"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("\"gov.hms.policy.withdrawn\""))).isEmpty());
        JsonNode event = mapper.readTree(wireMock.findAll(postRequestedFor(urlEqualTo("/scheduling/events"))
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("\"gov.hms.policy.withdrawn\""))).get(0)
                .getBody());
        assertThat(event.path("subject").asText()).isEqualTo(id);
        assertThat(event.at("/data/withdrawn").asBoolean()).isTrue();
        assertThat(event.at("/data/reason").asText()).isEqualTo("rescinded by the board on 2026-11-30");

        JsonPath catalogue = given().when().get("/api/policies/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(catalogue.getBoolean("withdrawn")).isTrue();
        assertThat(catalogue.getInt("revision")).isEqualTo(2);
        assertThat(catalogue.getList("targets.inSync")).containsOnly(true);
        JsonPath versions = given().when().get("/api/policies/" + id + "/versions").then().statusCode(200).extract().jsonPath();
        assertThat(versions.getList("items.revision")).containsExactly(2, 1);
        assertThat(versions.getList("items.source")).containsExactly("withdrawal", "http");
        String deploymentId = withdrawn.jsonPath().getString("deploymentId");
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), deploymentId))
                .containsExactly("received", "packaged", "delivered", "delivered", "notified", "notified", "completed");
        assertThat(AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId).get(0).path("source").asText())
                .isEqualTo("withdrawal");

        // Withdrawn already: 409; a rollback makes the version live again.
        assertThat(withdraw(id, "{\"reason\":\"again\"}").statusCode()).isEqualTo(409);
        assertThat(given().contentType("application/json").body("{\"toVersion\":\"1.0.0\",\"reason\":\"reinstated\"}")
                .when().post("/api/policies/" + id + "/rollback").statusCode()).isEqualTo(200);
        assertThat(given().when().get("/api/policies/" + id).then().extract().jsonPath().getBoolean("withdrawn")).isFalse();
    }

    @Test
    void aPolicyIsWithdrawnAtItsExpiresAtUnlessANewerRevisionCameFirst() {
        String id = "expiring-rule";
        java.time.Instant expiresAt = java.time.Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Response deployed = given().contentType("application/json").body("{\"id\":\"" + id + "\",\"title\":\"Heat rule\","
                + "\"content\":\"Cooling centres open.\",\"expiresAt\":\"" + expiresAt + "\"}").when().post("/api/policies");
        assertThat(deployed.statusCode()).isEqualTo(200);
        JsonPath catalogue = given().when().get("/api/policies/" + id).then().extract().jsonPath();
        assertThat(catalogue.getList("scheduled.kind")).containsExactly("withdrawal");
        assertThat(java.time.Instant.parse(catalogue.getString("scheduled[0].activateAt"))).isEqualTo(expiresAt);
        String expiry = catalogue.getString("scheduled[0].deploymentId");

        await().during(Duration.between(java.time.Instant.now(), expiresAt.minusMillis(200))).atMost(Duration.ofSeconds(5))
                .until(() -> deliveries(LIVE, id).size() == 1);
        await().atMost(Duration.between(java.time.Instant.now(), expiresAt.plusSeconds(2))).pollInterval(Duration.ofMillis(50))
                .until(() -> deliveries(LIVE, id).size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> given().when().get("/api/policies/" + id).then().extract()
                .jsonPath().getBoolean("withdrawn"));
        JsonPath withdrawal = given().when().get("/api/deployments/" + expiry).then().statusCode(200).extract().jsonPath();
        assertThat(withdrawal.getString("status")).isEqualTo("completed");
        assertThat(withdrawal.getString("source")).isEqualTo("withdrawal");
        assertThat(withdrawal.getString("schedule.kind")).isEqualTo("withdrawal");

        // An expiresAt already past at admission schedules nothing (information for the targets).
        assertThat(given().contentType("application/json").body("{\"id\":\"expired-already\",\"title\":\"t\",\"content\":\"c\","
                + "\"expiresAt\":\"2025-03-31\"}").when().post("/api/policies").statusCode()).isEqualTo(200);
        assertThat(given().when().get("/api/policies/expired-already").then().extract().jsonPath().getList("scheduled")).isEmpty();

        // A newer revision admitted before the expiry supersedes it.
        String other = "expiring-superseded";
        assertThat(given().contentType("application/json").body("{\"id\":\"" + other + "\",\"title\":\"t\",\"content\":\"v1\","
                + "\"expiresAt\":\"2099-01-01T00:00:00Z\"}").when().post("/api/policies").statusCode()).isEqualTo(200);
        String longExpiry = given().when().get("/api/policies/" + other).then().extract().jsonPath().getString("scheduled[0].deploymentId");
        assertThat(given().contentType("application/json").body("{\"id\":\"" + other + "\",\"title\":\"t\",\"content\":\"v2\"}")
                .when().post("/api/policies").statusCode()).isEqualTo(200);
        assertThat(given().when().get("/api/deployments/" + longExpiry).then().extract().jsonPath().getString("status"))
                .isEqualTo("superseded");
        assertThat(given().when().get("/api/policies/" + other).then().extract().jsonPath().getList("scheduled")).isEmpty();
    }

    /** Bug hunt: three withdrawals at once all succeeded, making three tombstones under three keys. */
    @Test
    void concurrentWithdrawalsOfOnePolicyMakeOneTombstone() throws Exception {
        String id = "withdrawn-race";
        assertThat(given().contentType("application/json").body("{\"id\":\"" + id + "\",\"title\":\"t\",\"content\":\"c\"}")
                .when().post("/api/policies").statusCode()).isEqualTo(200);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<Response>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                answers.add(pool.submit(() -> withdraw(id, "{\"reason\":\"raced\"}")));
            }
            List<Integer> statuses = new java.util.ArrayList<>();
            for (var answer : answers) {
                statuses.add(answer.get().statusCode());
            }
            assertThat(statuses).containsExactlyInAnyOrder(200, 409, 409);
        } finally {
            pool.shutdown();
        }
        JsonPath versions = given().when().get("/api/policies/" + id + "/versions").then().statusCode(200).extract().jsonPath();
        assertThat(versions.getList("items.revision")).containsExactly(2, 1);
    }

    @Test
    void aWithdrawalNeedsAReasonAndAKnownPolicy() {
        Response noReason = withdraw("withdrawn-unknown", "{}");
        assertThat(noReason.statusCode()).isEqualTo(400);
        assertThat(noReason.jsonPath().getString("error")).contains("reason");
        assertThat(withdraw("withdrawn-unknown", "{\"reason\":\"\\u00a0\\u2003\"}").statusCode())
                .as("a reason of no-break and em spaces is blank too").isEqualTo(400);
        Response numberReason = withdraw("withdrawn-unknown", "{\"reason\":42}");
        assertThat(numberReason.statusCode()).as("a reason must be a JSON string").isEqualTo(400);
        assertThat(numberReason.jsonPath().getString("status")).isEqualTo("failure");
        assertThat(withdraw("withdrawn-unknown", "{\"reason\":\"gone\"}").statusCode()).isEqualTo(404);
    }
}
