package gov.hms.pipeline.console;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.support.AnotherSystem;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.ConsoleTestResources;
import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console over plain HTTP, security on: who may see and do what, the headers every page
 * carries, CSRF on every form, escaping, and actions that leave the same ledger and audit records
 * as the API. (The browser's view of the same pages: {@link ConsoleBrowserTest}.)
 */
@QuarkusTest
@QuarkusTestResource(value = ConsoleTestResources.class, restrictToAnnotatedClass = true)
class ConsoleTest {

    static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"");

    @BeforeEach
    void healthySystems() {
        PipelineTestResources.healthySystems();
    }

    static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, user + "-test").redirects().follow(false);
    }

    static String deploy(String id, String title, String version) {
        String body = "{\"id\":\"" + id + "\",\"title\":\"" + title.replace("\"", "\\\"") + "\",\"content\":\"c " + version
                + "\",\"version\":\"" + version + "\"}";
        return as("submitter").contentType("application/json").body(body).when().post("/api/policies")
                .then().extract().path("deploymentId");
    }

    static String csrfOf(String html) {
        Matcher matcher = CSRF.matcher(html);
        assertThat(matcher.find()).as("a form with a CSRF token").isTrue();
        return matcher.group(1);
    }

    @Test
    void withoutCredentialsTheBrowserIsAskedToLogIn() {
        given().when().get("/console").then().statusCode(401)
                .header("WWW-Authenticate", org.hamcrest.Matchers.containsStringIgnoringCase("basic realm="));
        given().when().get("/console/health").then().statusCode(401);
        given().when().get("/console/assets/console.css").then().statusCode(401);
    }

    @Test
    void aReaderSeesEveryPolicyLiveAtEachTargetWithStrictHeaders() {
        deploy("console-seed", "Seed policy", "1.0.0");
        Response page = as("reader").when().get("/console");
        page.then().statusCode(200).contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Content-Security-Policy", containsString("style-src 'self'"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("Content-Security-Policy", not(containsString("unsafe-inline")))
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", containsString("no-store"));
        String html = page.body().asString();
        assertThat(html).contains("console-seed", "Seed policy", ">registry<", ">live<", "in sync")
                .doesNotContain("<style", "style=\"", " onclick=", "<script>");
        assertThat(html).containsPattern("<script src=\"/console/assets/console.js\"[^>]*></script>");
        as("reader").when().get("/console/assets/console.css").then().statusCode(200)
                .header("X-Content-Type-Options", "nosniff");
    }

    /** Issue 19's scheduling seen by an operator: a rule that is only scheduled is in the catalogue, with its instant. */
    @Test
    void scheduledActivationsAreShownAlsoForAPolicyNothingOfWhichIsLiveYet() {
        String activateAt = java.time.Instant.now().plus(java.time.Duration.ofDays(30))
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        String body = "{\"id\":\"console-later\",\"title\":\"Goes live next month\",\"content\":\"c\","
                + "\"version\":\"1.0.0\",\"activateAt\":\"" + activateAt + "\"}";
        String deploymentId = as("submitter").contentType("application/json").body(body).when().post("/api/policies")
                .then().statusCode(202).extract().path("deploymentId");

        var live = as("reader").when().get("/api/policies/console-later").then().statusCode(200).extract().jsonPath();
        assertThat(live.getString("revision")).as("nothing is live yet").isNull();
        assertThat(live.getList("scheduled.deploymentId")).containsExactly(deploymentId);
        assertThat(as("reader").when().get("/api/policies").then().statusCode(200).extract().jsonPath()
                .getList("items.policyId")).contains("console-later");

        String list = as("reader").when().get("/console").then().statusCode(200).extract().asString();
        assertThat(list).contains("console-later", "Goes live next month", activateAt)
                .doesNotContain("nothing is ever scheduled");
        String page = as("reader").when().get("/console/policies/console-later").then().statusCode(200).extract().asString();
        assertThat(page).contains("Scheduled", activateAt, "/console/deployments/" + deploymentId, "Nothing is live yet");
    }

    @Test
    void theFilterNarrowsTheCatalogue() {
        deploy("console-filter-alpha", "Alpha", "1.0.0");
        deploy("console-filter-beta", "Beta", "1.0.0");
        String html = as("reader").queryParam("q", "alpha").when().get("/console").then().statusCode(200)
                .extract().asString();
        assertThat(html).contains("console-filter-alpha").doesNotContain("console-filter-beta");
    }

    @Test
    void aPolicyTitleIsTextNeverMarkup() {
        deploy("console-xss", "<script>alert(1)</script>", "1.0.0");
        for (String path : List.of("/console", "/console/policies/console-xss")) {
            String html = as("reader").when().get(path).then().statusCode(200).extract().asString();
            assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>alert(1)");
        }
    }

    @Test
    void othersThanReadersAndOperatorsAreRefusedAndReadersCannotAct() {
        deploy("console-roles", "Roles", "1.0.0");
        as("submitter").when().get("/console").then().statusCode(403);
        as("reader").when().get("/console/dead-letters").then().statusCode(403);
        String html = as("reader").when().get("/console/policies/console-roles").then().statusCode(200).extract().asString();
        assertThat(html).doesNotContain("name=\"csrf\"", "Roll back to", "href=\"/console/dead-letters\"");
        as("reader").contentType("application/x-www-form-urlencoded").formParam("toRevision", "1")
                .formParam("reason", "r").formParam("csrf", "x")
                .when().post("/console/policies/console-roles/rollback").then().statusCode(403);
    }

    @Test
    void anOperatorRollsBackWithAReasonAndTheRecordsAreThoseOfTheApi() {
        deploy("console-rollback", "Two versions", "1.0.0");
        deploy("console-rollback", "Two versions", "2.0.0");
        String html = as("operator").when().get("/console/policies/console-rollback").then().statusCode(200)
                .extract().asString();
        assertThat(html).contains("1.0.0", "2.0.0", "submitter", "http", "/api/policies/console-rollback/versions/1/package");
        String token = csrfOf(html);

        // No token, a wrong token, another user's page: refused, nothing deployed.
        as("operator").contentType("application/x-www-form-urlencoded").formParam("toRevision", "1").formParam("reason", "r")
                .when().post("/console/policies/console-rollback/rollback").then().statusCode(403);
        as("operator").contentType("application/x-www-form-urlencoded").formParam("toRevision", "1").formParam("reason", "r")
                .formParam("csrf", token + "x")
                .when().post("/console/policies/console-rollback/rollback").then().statusCode(403);
        // No reason: the console asks for one (the API's rule), nothing deployed.
        as("operator").contentType("application/x-www-form-urlencoded").formParam("toRevision", "1").formParam("reason", " ")
                .formParam("csrf", token)
                .when().post("/console/policies/console-rollback/rollback").then().statusCode(400)
                .body(containsString("give a reason"));
        as("reader").when().get("/api/policies/console-rollback").then().body("revision", org.hamcrest.Matchers.equalTo(2));

        String location = as("operator").contentType("application/x-www-form-urlencoded").formParam("toRevision", "1")
                .formParam("reason", "booster rule withdrawn").formParam("csrf", token)
                .when().post("/console/policies/console-rollback/rollback").then().statusCode(303)
                .extract().header("Location");
        assertThat(location).matches(".*/console/deployments/[0-9a-f-]{36}");
        String deploymentId = location.substring(location.lastIndexOf('/') + 1);
        // Revision 1 is live again (a rollback makes an archived revision current; it adds none).
        as("reader").when().get("/api/policies/console-rollback").then().body("revision", org.hamcrest.Matchers.equalTo(1))
                .body("version", org.hamcrest.Matchers.equalTo("1.0.0"));
        String deployment = as("reader").when().get(location).then().statusCode(200).extract().asString();
        assertThat(deployment).contains("rollback", "booster rule withdrawn", "completed", "operator", "received");

        // The same action through the API leaves the same sequence of audit records.
        String apiDeploymentId = as("operator").contentType("application/json")
                .body("{\"toRevision\":2,\"reason\":\"api reason\"}").when().post("/api/policies/console-rollback/rollback")
                .then().statusCode(200).extract().path("deploymentId");
        List<JsonNode> console = AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId);
        List<JsonNode> api = AuditLogReader.recordsOf(PipelineTestResources.auditFile(), apiDeploymentId);
        // (subscribers are told in parallel, so their records may come in either order)
        assertThat(console).extracting(r -> r.path("step").asText() + "/" + r.path("source").asText() + "/" + r.path("actor").asText())
                .containsExactlyInAnyOrderElementsOf(api.stream().map(r -> r.path("step").asText() + "/"
                        + r.path("source").asText() + "/" + r.path("actor").asText()).toList())
                .contains("received/rollback/operator", "completed/rollback/operator");
        assertThat(console.get(0).path("detail").asText()).contains("booster rule withdrawn");
    }

    @Test
    void anOperatorSyncsAndTheDeploymentSaysWhy() {
        deploy("console-sync", "Sync me", "1.0.0");
        String token = csrfOf(as("operator").when().get("/console/policies/console-sync").then().extract().asString());
        String location = as("operator").contentType("application/x-www-form-urlencoded").formParam("reason", "standby rebuilt")
                .formParam("csrf", token).when().post("/console/policies/console-sync/sync").then().statusCode(303)
                .extract().header("Location");
        as("reader").when().get(location).then().statusCode(200).body(containsString("sync"))
                .body(containsString("standby rebuilt"));
    }

    @Test
    void theDiffBetweenTwoVersionsIsShown() {
        deploy("console-diff", "Diff", "1.0.0");
        deploy("console-diff", "Diff", "2.0.0");
        String html = as("reader").queryParam("from", "1").queryParam("to", "2").when().get("/console/policies/console-diff")
                .then().statusCode(200).extract().asString();
        assertThat(html).contains("replace", "/content", "/version", "&quot;c 2.0.0&quot;");
    }

    @Test
    void deploymentsAreListedNewestFirstFilteredAndOneShowsItsAuditRecords() {
        String first = deploy("console-list-a", "A", "1.0.0");
        String second = deploy("console-list-b", "B", "1.0.0");
        String html = as("reader").when().get("/console/deployments").then().statusCode(200).extract().asString();
        assertThat(html.indexOf(second)).isPositive().isLessThan(html.indexOf(first));
        assertThat(html).contains("data-live-src=\"/api/deployments");
        String failedOnly = as("reader").queryParam("status", "failed").when().get("/console/deployments").then()
                .statusCode(200).extract().asString();
        assertThat(failedOnly).doesNotContain(first, second);
        String detail = as("reader").when().get("/console/deployments/" + first).then().statusCode(200).extract().asString();
        assertThat(detail).contains("console-list-a", "received", "validated", "packaged", "delivered", "completed",
                "scheduling", "records");
        as("reader").when().get("/console/deployments/00000000-0000-0000-0000-000000000000").then().statusCode(404);
        // Refused before the ledger admitted it: the page tells it from the audit log.
        String refused = as("submitter").contentType("application/json").body("{\"id\":\"console-invalid\",\"content\":\"c\"}")
                .when().post("/api/policies").then().statusCode(422).extract().path("deploymentId");
        assertThat(as("reader").when().get("/console/deployments/" + refused).then().statusCode(200).extract().asString())
                .contains("failed", "received", "rejected", "/title");
    }

    @Test
    void anOperatorRetriesAndDiscardsDeadLettersAndSeesWhyTheyFailed() {
        PipelineTestResources.wireMock().stubFor(post(urlEqualTo("/target/packages"))
                .willReturn(aResponse().withStatus(500).withBody("disk full")));
        String retried = deploy("console-dead-retry", "Dead", "1.0.0");
        String discarded = deploy("console-dead-discard", "Dead", "1.0.0");
        String html = as("operator").when().get("/console/dead-letters").then().statusCode(200).extract().asString();
        assertThat(html).contains(retried, discarded, "console-dead-retry", "live", "HTTP 500");
        String token = csrfOf(html);
        as("operator").contentType("application/x-www-form-urlencoded")
                .when().post("/console/dead-letters/" + retried + "/retry").then().statusCode(403);

        PipelineTestResources.healthySystems();
        String location = as("operator").contentType("application/x-www-form-urlencoded").formParam("csrf", token)
                .when().post("/console/dead-letters/" + retried + "/retry").then().statusCode(303).extract().header("Location");
        as("reader").when().get(location).then().statusCode(200).body(containsString("completed"));
        as("operator").contentType("application/x-www-form-urlencoded").formParam("csrf", token)
                .when().post("/console/dead-letters/" + discarded + "/discard").then().statusCode(303)
                .header("Location", containsString("/console/dead-letters"));
        as("operator").when().get("/api/dead-letters").then().body("id", not(org.hamcrest.Matchers.hasItem(retried)))
                .body("id", not(org.hamcrest.Matchers.hasItem(discarded)));
        assertThat(AuditLogReader.records(PipelineTestResources.auditFile()))
                .filteredOn(r -> r.path("step").asText().equals("dead-letter-discarded"))
                .last().satisfies(r -> assertThat(r.path("actor").asText()).isEqualTo("operator"));
    }

    @Test
    void anOperatorRequeuesAndDiscardsQueueDeadLettersThroughTheApisPath() throws Exception {
        PipelineTestResources.wireMock().stubFor(post(urlEqualTo("/target/packages"))
                .willReturn(aResponse().withStatus(503).withBody("target down")));
        try (AnotherSystem sender = new AnotherSystem(PipelineTestResources.brokerAmqpUrl(), null, null)) {
            sender.sendText("policies.approved", "{\"id\":\"queue-requeued\",\"title\":\"t\",\"content\":\"c\"}", Map.of());
            sender.sendText("policies.approved", "{\"id\":\"queue-discarded\",\"content\":\"no title\"}", Map.of());
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> queueDeadLetters().size() == 2);
        List<Map<String, Object>> messages = queueDeadLetters();
        String html = as("operator").when().get("/console/dead-letters").then().statusCode(200).extract().asString();
        assertThat(html).contains("Validation failed", "target live", "/console/dead-letters/queue/");
        Map<String, Object> transient503 = messages.stream()
                .filter(m -> String.valueOf(m.get("failureReason")).contains("target live")).findFirst().orElseThrow();
        Map<String, Object> invalid = messages.stream().filter(m -> m != transient503).findFirst().orElseThrow();
        String token = csrfOf(html);

        // The target is back: the requeued message is deployed from the queue again.
        PipelineTestResources.healthySystems();
        as("operator").contentType("application/x-www-form-urlencoded").formParam("csrf", token)
                .when().post("/console/dead-letters/queue/" + transient503.get("messageId") + "/retry")
                .then().statusCode(303).header("Location", containsString("/console/dead-letters"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> as("reader").when()
                .get("/api/policies/queue-requeued").then().statusCode(200)
                .body("targets.find { it.target == 'live' }.inSync", org.hamcrest.Matchers.is(true)));
        as("operator").contentType("application/x-www-form-urlencoded").formParam("csrf", token)
                .when().post("/console/dead-letters/queue/" + invalid.get("messageId") + "/discard").then().statusCode(303);
        assertThat(queueDeadLetters()).isEmpty();
        List<JsonNode> records = AuditLogReader.records(PipelineTestResources.auditFile());
        assertThat(records).filteredOn(r -> r.path("step").asText().equals("dead-letter-requeued"))
                .singleElement().satisfies(r -> {
                    assertThat(r.path("actor").asText()).isEqualTo("operator");
                    assertThat(r.path("deploymentId").asText()).isEqualTo(transient503.get("deploymentId"));
                });
        assertThat(records).filteredOn(r -> r.path("step").asText().equals("dead-letter-discarded")
                && r.path("deploymentId").asText().equals(invalid.get("deploymentId"))).singleElement()
                .satisfies(r -> assertThat(r.path("source").asText()).isEqualTo("queue"));
        as("reader").when().get("/api/queue-dead-letters").then().statusCode(403);
    }

    @Test
    void theApiDescriptionHasTheQueueDeadLettersButNoConsolePage() {
        String openApi = given().when().get("/q/openapi").then().statusCode(200).extract().asString();
        assertThat(openApi).contains("/api/queue-dead-letters").doesNotContain("/console");
    }

    static List<Map<String, Object>> queueDeadLetters() {
        return as("operator").when().get("/api/queue-dead-letters").then().statusCode(200).extract().path("items");
    }

    @Test
    void healthShowsEveryCheckTheAuditChainAndTheBacklogsButNoSecret() {
        deploy("console-health", "Health", "1.0.0");
        String html = as("reader").when().get("/console/health").then().statusCode(200).extract().asString();
        assertThat(html).contains("audit-log", "broker", "Inbox backlog", "Queue depth", "policies.approved.DLQ",
                "Last checkpoint");
        assertThat(html).doesNotContain(ConsoleTestResources.REGISTRY_PASSWORD, PipelineTestResources.RECORDS_SECRET);
        String operators = as("operator").when().get("/console/health").then().extract().asString();
        String location = as("operator").contentType("application/x-www-form-urlencoded").formParam("csrf", csrfOf(operators))
                .when().post("/console/health/verify").then().statusCode(303).extract().header("Location");
        String verified = as("reader").when().get(location).then().statusCode(200).extract().asString();
        assertThat(verified).contains("chain intact", "by operator");
    }
}
