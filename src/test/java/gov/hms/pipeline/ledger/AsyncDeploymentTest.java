package gov.hms.pipeline.ledger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.support.AnotherSystem;
import gov.hms.pipeline.support.InboxFolder;
import gov.hms.pipeline.support.LedgerTestResources;
import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Prefer: respond-async} (RFC 7240) on {@code POST /api/policies} (issue 19): 202 with
 * {@code Location} and {@code Preference-Applied}; polling shows {@code received} → {@code delivering}
 * (with the targets done so far) → {@code completed}; the answer kept equals the synchronous one.
 * Targets {@code live} (fast) and {@code standby} (answers after 1.5 s) on one WireMock server.
 */
@QuarkusTest
@QuarkusTestResource(value = LedgerTestResources.class, restrictToAnnotatedClass = true)
class AsyncDeploymentTest {

    private static final int STANDBY_DELAY_MILLIS = 1500;
    private final ObjectMapper mapper = new ObjectMapper();

    @BeforeEach
    void slowStandby() {
        LedgerTestResources.healthyTargets().stubFor(post(urlEqualTo(LedgerTestResources.STANDBY))
                .willReturn(aResponse().withStatus(201).withFixedDelay(STANDBY_DELAY_MILLIS)));
    }

    private static String policy(String id, String version) {
        return "{\"id\":\"" + id + "\",\"title\":\"Flu clinics\",\"version\":\"" + version
                + "\",\"content\":\"Clinics open in October.\"}";
    }

    private static Response deploy(String body, Map<String, String> headers) {
        return given().contentType("application/json").headers(headers).body(body).when().post("/api/policies");
    }

    private static Response deployAsync(String body) {
        return deploy(body, Map.of("Prefer", "respond-async, wait=5"));
    }

    private static JsonPath poll(String location) {
        return given().when().get(location).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void respondAsyncIsAnswered202AndPollingShowsTheTargetsProgressToTheSynchronousAnswer() throws Exception {
        // A first deployment of the policy holds its lease while the slow target takes 1.5 s: the
        // second one stays received (validated, waiting for admission) that long.
        Response first = deployAsync(policy("async-flu", "1.0.0"));
        assertThat(first.statusCode()).isEqualTo(202);
        Response second = deployAsync(policy("async-flu", "1.1.0"));
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.header("Preference-Applied")).isEqualTo("respond-async");
        assertThat(second.jsonPath().getString("status")).isEqualTo("accepted");
        String location = second.header("Location");
        assertThat(location).isEqualTo("/api/deployments/" + second.jsonPath().getString("deploymentId"));

        List<String> seen = new ArrayList<>();
        List<JsonPath> delivering = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonPath now = poll(location);
            String status = now.getString("status");
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(status)) {
                seen.add(status);
            }
            if ("delivering".equals(status) && !now.getList("targets").isEmpty()) {
                delivering.add(now);
            }
            return "completed".equals(status) || "failed".equals(status);
        });
        assertThat(seen).containsExactly("received", "delivering", "completed");
        assertThat(delivering).as("a poll while the slow target still works shows the fast one done").isNotEmpty();
        assertThat(delivering.get(0).getList("targets.target")).containsExactly("live");
        assertThat(delivering.get(0).getList("targets.status")).containsExactly("delivered");

        JsonPath done = poll(location);
        assertThat(done.getList("targets.target")).containsExactly("live", "standby");
        assertThat(done.getString("result.status")).isEqualTo("success");

        // The same policy (another id) deployed synchronously: the same answer but for its ids and hashes.
        Response synchronous = deploy(policy("sync-flu", "1.1.0"), Map.of());
        assertThat(synchronous.statusCode()).isEqualTo(200);
        assertThat(withoutIdentity(mapper.readTree(given().when().get(location).then().extract().asString()).path("result")))
                .isEqualTo(withoutIdentity(mapper.readTree(synchronous.asString())));
    }

    @Test
    void anInvalidPolicyAcceptedAsynchronouslyEndsFailedWithTheSynchronousErrors() throws Exception {
        String invalid = "{\"id\":\"async-invalid\",\"content\":\"no title\"}";
        Response accepted = deployAsync(invalid);
        assertThat(accepted.statusCode()).isEqualTo(202);
        String location = accepted.header("Location");
        await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(poll(location).getString("status")));
        JsonPath failed = poll(location);
        assertThat(failed.getString("error")).isEqualTo("Validation failed");
        Response synchronous = deploy(invalid, Map.of());
        assertThat(synchronous.statusCode()).isEqualTo(422);
        assertThat(withoutIdentity(mapper.readTree(given().when().get(location).then().extract().asString()).path("result")))
                .isEqualTo(withoutIdentity(mapper.readTree(synchronous.asString())));
    }

    /** RFC 7240 section 2 (RFC 9110 section 5.3): several Prefer fields are one list. */
    @Test
    void aPreferenceInASecondPreferFieldCountsToo() {
        Response accepted = given().contentType("application/json").header("Prefer", "wait=5")
                .header("Prefer", "respond-async").body(policy("async-two-fields", "1.0.0")).when().post("/api/policies");
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.header("Preference-Applied")).isEqualTo("respond-async");
    }

    @Test
    void withoutThePreferenceTheAnswerStaysSynchronousAndADryRunIgnoresIt() {
        Response synchronous = deploy(policy("async-none", "1.0.0"), Map.of("Prefer", "return=minimal"));
        assertThat(synchronous.statusCode()).isEqualTo(200);
        assertThat(synchronous.header("Preference-Applied")).isNull();
        Response dryRun = given().contentType("application/json").header("Prefer", "respond-async")
                .body(policy("async-dry", "1.0.0")).when().post("/api/policies/validate");
        assertThat(dryRun.statusCode()).isEqualTo(200);
        assertThat(dryRun.header("Preference-Applied")).isNull();
    }

    @Test
    void inboxAndQueueDeploymentsAreFollowedTheSameWayAScheduledOneFromTheInboxToo() throws Exception {
        // The inbox (read after its quiet period): a policy scheduled 12 s ahead; its result file names the deployment to follow.
        java.time.Instant activateAt = java.time.Instant.now().plusSeconds(12).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        InboxFolder inbox = new InboxFolder(PipelineTestResources.inboxDir());
        inbox.drop("scheduled.json", "{\"id\":\"inbox-scheduled\",\"title\":\"t\",\"content\":\"c\",\"activateAt\":\""
                + activateAt + "\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> inbox.done("scheduled.json").size() == 1);
        JsonNode result = mapper.readTree(InboxFolder.resultFileOf(inbox.done("scheduled.json").get(0)).toFile());
        assertThat(result.path("status").asText()).isEqualTo("scheduled");
        String location = "/api/deployments/" + result.path("deploymentId").asText();
        assertThat(poll(location).getString("status")).isIn("scheduled", "activating", "delivering", "completed");
        await().atMost(Duration.ofSeconds(25)).until(() -> "completed".equals(poll(location).getString("status")));
        assertThat(poll(location).getString("source")).isEqualTo("file");

        // The queue: the reply names the deployment; it is in the ledger with its targets.
        try (AnotherSystem system = new AnotherSystem(PipelineTestResources.brokerAmqpUrl(), null, null)) {
            var replyTo = system.temporaryQueue();
            var message = system.session().createTextMessage(policy("queue-followed", "1.0.0"));
            message.setJMSReplyTo(replyTo);
            system.send("policies.approved", message, Map.of());
            JsonNode reply = mapper.readTree(AnotherSystem.bodyOf(system.receive(replyTo, Duration.ofSeconds(60))));
            JsonPath followed = poll("/api/deployments/" + reply.path("deploymentId").asText());
            assertThat(followed.getString("status")).isEqualTo("completed");
            assertThat(followed.getString("source")).isEqualTo("queue");
            assertThat(followed.getList("targets.status")).containsExactly("delivered", "delivered");
        }
    }

    private static JsonNode withoutIdentity(JsonNode result) {
        ObjectNode copy = result.deepCopy();
        copy.remove(List.of("deploymentId", "policyId", "policySha256", "packageSha256"));
        return copy;
    }
}
