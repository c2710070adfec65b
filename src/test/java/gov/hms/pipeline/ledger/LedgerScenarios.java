package gov.hms.pipeline.ledger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.api.PolicyDeploymentPipeline;
import gov.hms.pipeline.support.AnotherSystem;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.InboxFolder;
import gov.hms.pipeline.support.LedgerTestResources;
import gov.hms.pipeline.support.PackageVerifier;
import gov.hms.pipeline.support.PipelineTestResources;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The deployment ledger's must-show scenarios (issue 14), run against the embedded H2 database
 * ({@link LedgerH2Test}) and a real PostgreSQL ({@link LedgerPostgresTest}). Two live targets,
 * {@code live} and {@code standby}; every test uses policy ids of its own.
 */
abstract class LedgerScenarios {

    private static final String LIVE = "/target/packages";
    private static final String STANDBY = LedgerTestResources.STANDBY;
    private final ObjectMapper mapper = new ObjectMapper();
    private WireMockServer wireMock;

    @Inject
    PolicyDeploymentPipeline pipeline;

    @Inject
    PolicyLeases leases;

    @Inject
    DeploymentLedger ledger;

    @BeforeEach
    void healthy() {
        wireMock = LedgerTestResources.healthyTargets();
    }

    static String policy(String id, String version, String content) {
        return "{\"id\":\"" + id + "\",\"title\":\"Vaccination rule\",\"version\":\"" + version
                + "\",\"content\":\"" + content + "\"}";
    }

    static Response deploy(String body) {
        return given().contentType("application/json").body(body).when().post("/api/policies");
    }

    private List<LoggedRequest> deliveries(String path, String policyId) {
        return wireMock.findAll(postRequestedFor(urlEqualTo(path))
                .withHeader("X-Policy-Id", com.github.tomakehurst.wiremock.client.WireMock.equalTo(policyId)));
    }

    private static JsonPath live(String policyId) {
        return given().when().get("/api/policies/" + policyId).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void versionsCatalogueDiffConflictsAndRollback() throws Exception {
        String id = "ledger-vax";
        assertThat(deploy(policy(id, "1.0.0", "Adults: one dose.")).statusCode()).isEqualTo(200);
        String firstSha = deliveries(LIVE, id).get(0).getHeader("X-Package-Sha256");
        String firstKey = deliveries(LIVE, id).get(0).getHeader("Idempotency-Key");
        assertThat(deploy(policy(id, "1.1.0", "Adults: two doses.")).statusCode()).isEqualTo(200);

        JsonPath status = live(id);
        assertThat(status.getInt("revision")).isEqualTo(2);
        assertThat(status.getString("version")).isEqualTo("1.1.0");
        assertThat(status.getList("targets.target")).containsExactly("live", "standby");
        assertThat(status.getList("targets.version")).containsOnly("1.1.0");
        assertThat(status.getList("targets.inSync")).containsOnly(true);
        assertThat(status.getList("targets.packageSha256")).containsOnly(status.getString("packageSha256"));

        JsonPath versions = given().when().get("/api/policies/" + id + "/versions").then().statusCode(200)
                .extract().jsonPath();
        assertThat(versions.getList("items.version")).containsExactly("1.1.0", "1.0.0");
        assertThat(versions.getList("items.revision")).containsExactly(2, 1);
        assertThat(versions.getList("items.source")).containsOnly("http");

        JsonNode patch = mapper.readTree(given().queryParam("from", "1.0.0").queryParam("to", "1.1.0")
                .when().get("/api/policies/" + id + "/diff").then().statusCode(200).extract().asString());
        assertThat(patch).containsExactlyInAnyOrder(
                mapper.readTree("{\"op\":\"replace\",\"path\":\"/version\",\"value\":\"1.1.0\"}"),
                mapper.readTree("{\"op\":\"replace\",\"path\":\"/content\",\"value\":\"Adults: two doses.\"}"));

        // An older version, and the same version with other content: 409, nothing delivered.
        int before = wireMock.getAllServeEvents().size();
        Response older = deploy(policy(id, "1.0.0", "Adults: one dose."));
        assertThat(older.statusCode()).isEqualTo(409);
        assertThat(older.jsonPath().getString("status")).isEqualTo("failure");
        assertThat(older.jsonPath().getString("error")).contains("lower than the live version 1.1.0");
        Response sameVersion = deploy(policy(id, "1.1.0", "Adults: three doses."));
        assertThat(sameVersion.statusCode()).isEqualTo(409);
        assertThat(sameVersion.jsonPath().getString("error")).contains("already exists with other content");
        Response dryRun = given().contentType("application/json").body(policy(id, "1.0.0", "Adults: one dose."))
                .when().post("/api/policies/validate");
        assertThat(dryRun.statusCode()).as("a dry run answers what the deployment would").isEqualTo(409);
        assertThat(given().contentType("application/json").body(policy(id, "1.2.0", "Adults: a booster."))
                .when().post("/api/policies/validate").statusCode()).isEqualTo(200);
        assertThat(wireMock.getAllServeEvents()).hasSize(before);
        assertThat(live(id).getInt("revision")).as("a dry run keeps nothing").isEqualTo(2);

        // Rollback to 1.0.0: the first package again, byte for byte, under a key no target saw.
        Set<String> keysSeen = new HashSet<>();
        wireMock.findAll(postRequestedFor(urlEqualTo(LIVE))).forEach(r -> keysSeen.add(r.getHeader("Idempotency-Key")));
        wireMock.findAll(postRequestedFor(urlEqualTo(STANDBY))).forEach(r -> keysSeen.add(r.getHeader("Idempotency-Key")));
        Response rollback = given().contentType("application/json")
                .body("{\"toVersion\":\"1.0.0\",\"reason\":\"booster rule withdrawn by the board\"}")
                .when().post("/api/policies/" + id + "/rollback");
        assertThat(rollback.statusCode()).isEqualTo(200);
        assertThat(rollback.jsonPath().getString("status")).isEqualTo("success");
        for (String path : List.of(LIVE, STANDBY)) {
            List<LoggedRequest> all = deliveries(path, id);
            LoggedRequest last = all.get(all.size() - 1);
            assertThat(all).as(path).hasSize(3);
            assertThat(PackageVerifier.sha256Hex(last.getBody())).isEqualTo(firstSha);
            assertThat(last.getHeader("Idempotency-Key")).isNotIn(keysSeen).isNotEqualTo(firstKey);
        }
        JsonPath afterRollback = live(id);
        assertThat(afterRollback.getInt("revision")).isEqualTo(1);
        assertThat(afterRollback.getString("version")).isEqualTo("1.0.0");
        assertThat(afterRollback.getList("targets.inSync")).containsOnly(true);
        String rollbackId = rollback.jsonPath().getString("deploymentId");
        List<JsonNode> records = AuditLogReader.recordsOf(PipelineTestResources.auditFile(), rollbackId);
        assertThat(records.get(0).path("source").asText()).isEqualTo("rollback");
        assertThat(records.get(0).path("detail").asText()).contains("booster rule withdrawn by the board");
        assertThat(records.get(records.size() - 1).path("step").asText()).isEqualTo("completed");
        JsonNode event = mapper.readTree(wireMock.findAll(postRequestedFor(urlEqualTo("/scheduling/events")))
                .stream().reduce((a, b) -> b).orElseThrow().getBody());
        assertThat(event.path("type").asText()).isEqualTo("gov.hms.policy.rolled-back");
        assertThat(event.at("/data/revision").asInt()).isEqualTo(1);

        JsonPath deployment = given().when().get("/api/deployments/" + rollbackId).then().statusCode(200)
                .extract().jsonPath();
        assertThat(deployment.getString("status")).isEqualTo("completed");
        assertThat(deployment.getString("source")).isEqualTo("rollback");
        assertThat(deployment.getString("reason")).isEqualTo("booster rule withdrawn by the board");
        assertThat(deployment.getList("targets.status")).containsOnly("delivered");
        assertThat(deployment.getList("notifications.subscriber")).containsExactly("records", "scheduling");

        // The Java API reads the same ledger.
        assertThat(pipeline.live(id).orElseThrow().version()).isEqualTo("1.0.0");
        assertThat(pipeline.versions(id)).hasSize(2);
        assertThat(pipeline.rollback(id, "9.9.9", "no such version").httpStatus()).isEqualTo(404);
    }

    @Test
    void aTargetDownDuringAnUpdateIsShownOutOfSyncAndSyncBringsItUp() {
        String id = "ledger-sync";
        assertThat(deploy(policy(id, "1.0.0", "First.")).statusCode()).isEqualTo(200);
        wireMock.stubFor(post(urlEqualTo(STANDBY)).atPriority(1).willReturn(aResponse().withStatus(503)));
        Response partial = deploy(policy(id, "2.0.0", "Second."));
        assertThat(partial.statusCode()).isEqualTo(502);
        assertThat(partial.jsonPath().getString("error")).contains("target standby");

        JsonPath status = live(id);
        assertThat(status.getInt("revision")).isEqualTo(2);
        assertThat(status.getList("targets.target")).containsExactly("live", "standby");
        assertThat(status.getList("targets.revision")).containsExactly(2, 1);
        assertThat(status.getList("targets.inSync")).containsExactly(true, false);

        wireMock.resetMappings();
        LedgerTestResources.healthyTargets();
        int liveBefore = deliveries(LIVE, id).size();
        Set<String> standbyKeys = new HashSet<>();
        deliveries(STANDBY, id).forEach(r -> standbyKeys.add(r.getHeader("Idempotency-Key")));
        Response sync = given().contentType("application/json").body("{\"reason\":\"standby back\"}")
                .when().post("/api/policies/" + id + "/sync");
        assertThat(sync.statusCode()).isEqualTo(200);
        assertThat(sync.jsonPath().getList("deliveries.target")).containsExactly("standby");
        assertThat(deliveries(LIVE, id)).hasSize(liveBefore);
        List<LoggedRequest> standby = deliveries(STANDBY, id);
        assertThat(standby.get(standby.size() - 1).getHeader("Idempotency-Key")).isNotIn(standbyKeys);
        assertThat(live(id).getList("targets.inSync")).containsOnly(true);

        // In sync everywhere: a second sync delivers nothing.
        int total = wireMock.findAll(postRequestedFor(urlEqualTo(STANDBY))).size();
        Response again = given().contentType("application/json").body("{}").when().post("/api/policies/" + id + "/sync");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.jsonPath().getList("deliveries")).isEmpty();
        assertThat(wireMock.findAll(postRequestedFor(urlEqualTo(STANDBY)))).hasSize(total);
    }

    @Test
    void theSameContentAgainViaHttpInboxQueueAndJavaApiIsNotDeliveredAgain() throws Exception {
        String id = "ledger-same";
        String body = policy(id, "3.0.0", "Same everywhere.");
        Response first = deploy(body);
        assertThat(first.statusCode()).isEqualTo(200);
        int delivered = wireMock.getAllServeEvents().size();

        Response http = deploy(body);
        assertThat(http.statusCode()).isEqualTo(200);
        assertThat(http.jsonPath().getString("status")).isEqualTo("success");
        assertThat(http.jsonPath().getList("deliveries")).isEmpty();
        assertThat(http.jsonPath().getList("notifications")).isEmpty();

        DeploymentResult api = pipeline.deploy(body);
        assertThat(api.status()).isEqualTo("success");
        assertThat(api.deliveries()).isEmpty();
        assertThat(api.notifications()).isEmpty();

        InboxFolder inbox = new InboxFolder(PipelineTestResources.inboxDir());
        inbox.drop("same.json", body);
        await().atMost(Duration.ofSeconds(60)).until(() -> inbox.done("same.json").size() == 1);

        try (AnotherSystem system = new AnotherSystem(PipelineTestResources.brokerAmqpUrl(), null, null)) {
            var replyTo = system.temporaryQueue();
            system.send("policies.approved", system.session().createTextMessage(body), Map.of());
            // The reply is the same result JSON as the HTTP answer.
            var message = system.session().createTextMessage(body);
            message.setJMSReplyTo(replyTo);
            system.send("policies.approved", message, Map.of());
            JsonNode reply = mapper.readTree(AnotherSystem.bodyOf(system.receive(replyTo, Duration.ofSeconds(60))));
            assertThat(reply.path("status").asText()).isEqualTo("success");
            assertThat(reply.path("deliveries")).isEmpty();
        }
        assertThat(wireMock.getAllServeEvents()).hasSize(delivered);
        JsonPath unchanged = given().queryParam("policyId", id).queryParam("status", "unchanged")
                .when().get("/api/deployments").then().statusCode(200).extract().jsonPath();
        assertThat(unchanged.getList("items.source")).contains("http", "api", "file", "queue");
    }

    /**
     * Issue 15's lost notification: a deployment cut off after every target took the package but
     * before its notification round (the state the crash sweep leaves: {@code interrupted}, deliveries
     * recorded, no round) is carried on by the re-submission, which must notify the subscribers once
     * instead of answering "already live".
     */
    @Test
    void aDeploymentCutOffBeforeItsNotificationRoundIsNotifiedByTheResubmission() throws Exception {
        String id = "ledger-cut-off";
        String body = policy(id, "1.0.0", "Notified once, even after a crash.");
        Response first = deploy(body);
        assertThat(first.statusCode()).isEqualTo(200);
        String cutOff = first.jsonPath().getString("deploymentId");
        String key = deliveries(LIVE, id).get(0).getHeader("Idempotency-Key");
        await().atMost(Duration.ofSeconds(30)).until(() -> events(id).size() == 2);
        // The crash: the round never ran (its outbox rows never existed), the sweep ended the row.
        try (var connection = ledger.connection(); var update = connection.prepareStatement(
                "UPDATE deployment SET status = 'interrupted', notifications = NULL WHERE deployment_id = ?")) {
            update.setString(1, cutOff);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        wireMock.resetRequests();

        Response again = deploy(body);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.jsonPath().getString("status")).isEqualTo("success");
        assertThat(again.jsonPath().getList("deliveries")).as("nothing is delivered again").isEmpty();
        assertThat(again.jsonPath().getList("notifications.subscriber")).containsExactlyInAnyOrder("scheduling", "records");
        await().atMost(Duration.ofSeconds(30)).until(() -> events(id).size() == 2);
        for (LoggedRequest event : events(id)) {
            JsonNode data = mapper.readTree(event.getBodyAsString()).path("data");
            assertThat(data.path("revision").asInt()).isEqualTo(1);
            assertThat(data.path("targets")).extracting(JsonNode::asText).containsExactlyInAnyOrder("live", "standby");
        }
        assertThat(wireMock.findAll(postRequestedFor(urlEqualTo(LIVE)))).isEmpty();

        // The round ran once: a third submission is "already live", nobody notified again.
        Response third = deploy(body);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(third.jsonPath().getList("notifications")).isEmpty();
        assertThat(events(id)).hasSize(2);
        JsonPath record = given().when().get("/api/deployments/" + again.jsonPath().getString("deploymentId"))
                .then().statusCode(200).extract().jsonPath();
        assertThat(record.getString("status")).isEqualTo("completed");
        assertThat(record.getString("idempotencyKey")).isEqualTo(key);
    }

    private List<LoggedRequest> events(String policyId) {
        List<LoggedRequest> events = new ArrayList<>();
        for (String path : List.of("/scheduling/events", "/records/events")) {
            wireMock.findAll(postRequestedFor(urlEqualTo(path))).stream()
                    .filter(request -> request.getBodyAsString().contains("\"subject\":\"" + policyId + "\""))
                    .forEach(events::add);
        }
        return events;
    }

    @Test
    void sixteenConcurrentDeploysOfOnePolicyEndWithEveryTargetOnTheCataloguesVersion() throws Exception {
        String id = "ledger-race";
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                String body = i % 2 == 0 ? policy(id, "1.0.0", "One.") : policy(id, "2.0.0", "Two.");
                answers.add(pool.submit(() -> deploy(body)));
            }
            for (Future<Response> answer : answers) {
                int code = answer.get().statusCode();
                assertThat(code).isIn(200, 409);
                if (code == 409) {
                    assertThat(answer.get().jsonPath().getString("error")).contains("lower than the live version");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        JsonPath status = live(id);
        assertThat(status.getList("targets.revision")).containsOnly(status.getInt("revision"));
        assertThat(status.getList("targets.inSync")).containsOnly(true);
        for (String path : List.of(LIVE, STANDBY)) {
            List<LoggedRequest> all = deliveries(path, id);
            assertThat(all.get(all.size() - 1).getHeader("X-Package-Sha256")).isEqualTo(status.getString("packageSha256"));
        }
    }

    @Test
    void aDeadLetterRetryKeepsItsKeyAndIsRefusedOnceANewerRevisionSupersededIt() {
        String id = "ledger-dead-letter";
        wireMock.stubFor(post(urlEqualTo(STANDBY)).atPriority(1).willReturn(aResponse().withStatus(503)));
        Response failed = deploy(policy(id, "1.0.0", "Kept as a dead letter."));
        assertThat(failed.statusCode()).isEqualTo(502);
        String deadLetter = failed.jsonPath().getString("deploymentId");
        String key = deliveries(LIVE, id).get(0).getHeader("Idempotency-Key");

        // Retried while revision 1 is still current: the same key, the dead letter settles.
        wireMock.resetMappings();
        LedgerTestResources.healthyTargets();
        given().when().post("/api/dead-letters/" + deadLetter + "/retry").then().statusCode(200);
        List<LoggedRequest> standby = deliveries(STANDBY, id);
        assertThat(standby.get(standby.size() - 1).getHeader("Idempotency-Key")).isEqualTo(key);
        assertThat(live(id).getList("targets.inSync")).containsOnly(true);

        // Another dead letter of revision 2, then revision 3 goes live: retrying the old one would
        // put revision 2 back on the standby, so it is refused.
        wireMock.stubFor(post(urlEqualTo(STANDBY)).atPriority(1).willReturn(aResponse().withStatus(503)));
        String stale = deploy(policy(id, "2.0.0", "Superseded soon.")).jsonPath().getString("deploymentId");
        wireMock.resetMappings();
        LedgerTestResources.healthyTargets();
        assertThat(deploy(policy(id, "3.0.0", "Current.")).statusCode()).isEqualTo(200);
        int before = wireMock.getAllServeEvents().size();
        Response refused = given().when().post("/api/dead-letters/" + stale + "/retry");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.jsonPath().getString("error")).contains("superseded");
        assertThat(wireMock.getAllServeEvents()).hasSize(before);
        assertThat(live(id).getString("version")).isEqualTo("3.0.0");
    }

    @Test
    void aLeaseIsHeldByOneHolderAtATimeAndAnExpiredOneIsTakenOver() throws Exception {
        assertThat(leases.tryAcquire("lease-test", "holder-a")).isTrue();
        assertThat(leases.tryAcquire("lease-test", "holder-b")).isFalse();
        leases.release("lease-test", "holder-b");  // not its lease: nothing happens
        assertThat(leases.tryAcquire("lease-test", "holder-b")).isFalse();
        leases.release("lease-test", "holder-a");
        assertThat(leases.tryAcquire("lease-test", "holder-b")).isTrue();

        // A holder that died: its lease expired a second ago.
        try (var connection = ledger.connection(); var expire = connection.prepareStatement(
                "UPDATE policy_lease SET expires_at = ? WHERE policy_id = ?")) {
            expire.setTimestamp(1, java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(1)));
            expire.setString(2, "lease-test");
            assertThat(expire.executeUpdate()).isEqualTo(1);
        }
        assertThat(leases.tryAcquire("lease-test", "holder-c")).isTrue();
        assertThat(leases.tryAcquire("lease-test", "holder-b")).isFalse();
        leases.release("lease-test", "holder-c");
    }

    @Test
    void unknownPoliciesAndDeploymentsAre404AndBadParametersAre400() {
        given().when().get("/api/policies/no-such-policy").then().statusCode(404).contentType("application/json");
        given().when().get("/api/policies/no-such-policy/versions").then().statusCode(404);
        given().when().get("/api/deployments/00000000-0000-0000-0000-000000000000").then().statusCode(404);
        given().queryParam("limit", "0").when().get("/api/policies").then().statusCode(400);
        given().queryParam("since", "yesterday").when().get("/api/deployments").then().statusCode(400);
        given().queryParam("source", "bogus").when().get("/api/deployments").then().statusCode(400)
                .body("error", org.hamcrest.Matchers.containsString("http"));
        given().contentType("application/json").body("{\"reason\":\"x\"}")
                .when().post("/api/policies/no-such-policy/rollback").then().statusCode(400);
        given().contentType("application/json").body("{\"toVersion\":\"1\",\"reason\":\"x\"}")
                .when().post("/api/policies/no-such-policy/rollback").then().statusCode(404);
        // Bug hunt: 1.5 was taken as revision 1, and a repeated key's last value won.
        given().contentType("application/json").body("{\"toRevision\":1.5,\"reason\":\"x\"}")
                .when().post("/api/policies/no-such-policy/rollback").then().statusCode(400);
        given().contentType("application/json").body("{\"toVersion\":\"1\",\"reason\":\"x\",\"reason\":\"y\"}")
                .when().post("/api/policies/no-such-policy/rollback").then().statusCode(400);
    }

    /** Bug hunt: "version": 1e2 was labelled 1E+2, so "version": 100 with other content was not the same version. */
    @Test
    void aNumericVersionIsLabelledByItsIntegerHoweverItIsWritten() {
        String id = "ledger-numeric-version";
        assertThat(deploy("{\"id\":\"" + id + "\",\"title\":\"t\",\"content\":\"first\",\"version\":1e2}").statusCode())
                .isEqualTo(200);
        assertThat(live(id).getString("version")).isEqualTo("100");
        Response other = deploy("{\"id\":\"" + id + "\",\"title\":\"t\",\"content\":\"other\",\"version\":100}");
        assertThat(other.statusCode()).as(other.asString()).isEqualTo(409);
    }

    @Test
    void catalogueAndDeploymentsArePaged() {
        for (int i = 0; i < 3; i++) {
            assertThat(deploy(policy("ledger-page-" + i, "1.0.0", "Page " + i)).statusCode()).isEqualTo(200);
        }
        JsonPath first = given().queryParam("limit", "2").when().get("/api/policies").then().statusCode(200)
                .extract().jsonPath();
        assertThat(first.getList("items")).hasSize(2);
        String next = first.getString("next");
        assertThat(next).isNotNull();
        JsonPath second = given().queryParam("limit", "1000").queryParam("cursor", next).when().get("/api/policies")
                .then().statusCode(200).extract().jsonPath();
        assertThat(second.getList("items.policyId")).doesNotContainAnyElementsOf(first.getList("items.policyId"));
        assertThat(second.getString("next")).isNull();

        JsonPath deployments = given().queryParam("limit", "2").queryParam("source", "http").when().get("/api/deployments")
                .then().statusCode(200).extract().jsonPath();
        assertThat(deployments.getList("items")).hasSize(2);
        JsonPath older = given().queryParam("limit", "2").queryParam("source", "http")
                .queryParam("cursor", deployments.getString("next")).when().get("/api/deployments")
                .then().statusCode(200).extract().jsonPath();
        assertThat(older.getList("items.deploymentId")).doesNotContainAnyElementsOf(deployments.getList("items.deploymentId"));
    }
}
