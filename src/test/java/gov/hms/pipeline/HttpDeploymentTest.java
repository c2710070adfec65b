package gov.hms.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The walking skeleton over real HTTP: a WireMock target and two WireMock subscribers. */
@QuarkusTest
@QuarkusTestResource(value = PipelineTestResources.class, restrictToAnnotatedClass = true)
class HttpDeploymentTest {

    static final String SEED = """
            {"id":"policy-2023-vax","title":"COVID-19 Booster Guidelines",
             "content":"All adults may receive a booster every 6 months."}""";

    private final ObjectMapper mapper = new ObjectMapper();
    private WireMockServer wireMock;

    @BeforeEach
    void scriptSystems() {
        wireMock = PipelineTestResources.healthySystems();
    }

    @Test
    void seedPolicyGoesLiveEndToEnd() throws Exception {
        Response response = given().contentType("application/json").body(SEED)
                .when().post("/api/policies")
                .then().statusCode(200).contentType("application/json")
                .body("status", equalTo("success"))
                .body("policyId", equalTo("policy-2023-vax"))
                .body("deliveries[0].target", equalTo("live"))
                .body("deliveries[0].status", equalTo("delivered"))
                .body("deliveries[0].httpStatus", equalTo(201))
                .body("deliveries[0].attempts", equalTo(1))
                .extract().response();
        String deploymentId = response.path("deploymentId");

        List<LoggedRequest> deliveries = wireMock.findAll(postRequestedFor(urlEqualTo("/target/packages")));
        assertThat(deliveries).hasSize(1);
        LoggedRequest delivery = deliveries.get(0);
        JsonNode envelope = mapper.readTree(delivery.getBody());
        String expectedSha256 = independentSha256OfCanonicalSeed();
        assertThat(envelope.at("/manifest/sha256").asText()).isEqualTo(expectedSha256);
        assertThat(envelope.at("/manifest/policyId").asText()).isEqualTo("policy-2023-vax");
        assertThat(envelope.at("/manifest/format").asText()).isEqualTo("json");
        assertThat(envelope.at("/policy/title").asText()).isEqualTo("COVID-19 Booster Guidelines");
        assertThat(delivery.getHeader("Idempotency-Key")).isEqualTo(expectedSha256);
        assertThat(delivery.getHeader("X-Policy-Id")).isEqualTo("policy-2023-vax");
        assertThat(delivery.getHeader("Content-Type")).startsWith("application/json");
        assertThat((String) response.path("packageSha256")).isEqualTo(sha256Hex(delivery.getBody()));

        for (String subscriber : List.of("/scheduling/events", "/records/events")) {
            List<LoggedRequest> events = wireMock.findAll(postRequestedFor(urlEqualTo(subscriber)));
            assertThat(events).as(subscriber).hasSize(1);
            JsonNode event = mapper.readTree(events.get(0).getBody());
            assertThat(events.get(0).getHeader("Content-Type")).startsWith("application/cloudevents+json");
            assertThat(event.path("specversion").asText()).isEqualTo("1.0");
            assertThat(event.path("type").asText()).isEqualTo("gov.hms.policy.deployed");
            assertThat(event.path("subject").asText()).isEqualTo("policy-2023-vax");
            assertThat(event.at("/data/deploymentId").asText()).isEqualTo(deploymentId);
            assertThat(event.at("/data/packageSha256").asText()).isEqualTo(sha256Hex(delivery.getBody()));
            assertThat(event.at("/data/targets/0").asText()).isEqualTo("live");
        }

        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), deploymentId))
                .containsExactly("received", "validated", "packaged", "delivered", "notified", "notified", "completed");
        JsonNode completed = AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId).get(6);
        assertThat(completed.path("outcome").asText()).isEqualTo("ok");
        assertThat(completed.path("source").asText()).isEqualTo("http");
        assertThat(completed.path("policyId").asText()).isEqualTo("policy-2023-vax");
        assertThat(completed.path("time").asText()).endsWith("Z");
    }

    @Test
    void missingTitleIsRejectedAt422WithNothingDelivered() {
        Response response = given().contentType("application/json")
                .body("{\"id\":\"policy-x\",\"content\":\"text\"}")
                .when().post("/api/policies")
                .then().statusCode(422).contentType("application/json")
                .body("status", equalTo("failure"))
                .body("error", equalTo("Validation failed"))
                .body("errors.path", hasItem("/title"))
                .extract().response();
        wireMock.verify(0, anyRequestedFor(anyUrl()));
        List<String> steps = AuditLogReader.stepsOf(PipelineTestResources.auditFile(), response.path("deploymentId"));
        assertThat(steps).containsExactly("received", "rejected", "failed");
    }

    @Test
    void malformedJsonIs400AndTextPlainIs415BothAsJson() {
        given().contentType("application/json").body("{\"id\": \"p1\", \"title\": ")
                .when().post("/api/policies")
                .then().statusCode(400).contentType("application/json")
                .body("status", equalTo("failure"))
                .body("error", org.hamcrest.Matchers.startsWith("Malformed JSON"));
        given().contentType("text/plain").body(SEED)
                .when().post("/api/policies")
                .then().statusCode(415).contentType("application/json")
                .body("status", equalTo("failure"))
                .body("error", org.hamcrest.Matchers.containsString("text/plain"));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aFormPostIs415NotAnInternalError() {
        // curl --data without -H sends a form: Vert.x parses it into a Map before the route sees it.
        given().contentType("application/x-www-form-urlencoded; charset=UTF-8").body(SEED)
                .when().post("/api/policies")
                .then().statusCode(415).contentType("application/json")
                .body("status", equalTo("failure"))
                .body("error", org.hamcrest.Matchers.containsString("application/x-www-form-urlencoded"));
        given().contentType("application/x-www-form-urlencoded").formParam("id", "p-form").formParam("title", "t")
                .when().post("/api/policies/validate")
                .then().statusCode(415).contentType("application/json");
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void pathTraversalIdIsRejectedAndNeverBecomesAFileOrUrl() throws Exception {
        given().contentType("application/json")
                .body("{\"id\":\"../../etc/passwd\",\"title\":\"t\",\"content\":\"c\"}")
                .when().post("/api/policies")
                .then().statusCode(422)
                .body("errors.path", hasItem("/id"));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
        try (var files = Files.walk(PipelineTestResources.dataDir())) {
            assertThat(files.map(Path::toString)).noneMatch(p -> p.contains("passwd") || p.contains(".."));
        }
    }

    @Test
    void targetAnswering500Gives502WithoutNotifications() {
        wireMock.stubFor(post(urlEqualTo("/target/packages")).willReturn(aResponse().withStatus(500).withBody("down for maintenance")));
        Response response = given().contentType("application/json").body(SEED)
                .when().post("/api/policies")
                .then().statusCode(502).contentType("application/json")
                .body("status", equalTo("failure"))
                .body("error", org.hamcrest.Matchers.startsWith("Deploy failed"))
                .body("error", org.hamcrest.Matchers.containsString("live"))
                .body("deliveries[0].status", equalTo("failed"))
                .body("deliveries[0].httpStatus", equalTo(500))
                .body("deliveries[0].attempts", equalTo(3))
                .extract().response();
        wireMock.verify(3, postRequestedFor(urlEqualTo("/target/packages")));
        wireMock.verify(0, postRequestedFor(urlPathEqualTo("/scheduling/events")));
        wireMock.verify(0, postRequestedFor(urlPathEqualTo("/records/events")));
        List<String> keys = wireMock.findAll(postRequestedFor(urlEqualTo("/target/packages"))).stream()
                .map(r -> r.getHeader("Idempotency-Key")).distinct().toList();
        assertThat(keys).hasSize(1);
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), response.path("deploymentId")))
                .containsExactly("received", "validated", "packaged", "delivery-failed", "failed");
    }

    @Test
    void failingSubscriberDoesNotFailTheDeployment() {
        wireMock.stubFor(post(urlEqualTo("/scheduling/events")).willReturn(aResponse().withStatus(500)));
        Response response = given().contentType("application/json").body(SEED)
                .when().post("/api/policies")
                .then().statusCode(200)
                .body("status", equalTo("success"))
                .extract().response();
        List<Map<String, Object>> notifications = response.path("notifications");
        Map<String, String> bySubscriber = new TreeMap<>();
        notifications.forEach(n -> bySubscriber.put((String) n.get("subscriber"), (String) n.get("status")));
        assertThat(bySubscriber).containsEntry("scheduling", "pending").containsEntry("records", "notified");
        wireMock.verify(1, postRequestedFor(urlEqualTo("/records/events")));
        List<String> steps = AuditLogReader.stepsOf(PipelineTestResources.auditFile(), response.path("deploymentId"));
        assertThat(steps).contains("notify-failed", "notified", "completed");
        // The outbox retries it; once the subscriber is back it is taken, and nothing stays behind
        // to surprise the next test.
        PipelineTestResources.healthySystems();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), response.path("deploymentId")))
                        .endsWith("notified"));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            try (var files = Files.list(PipelineTestResources.outboxDir())) {
                return files.noneMatch(f -> f.toString().endsWith(".json"));
            }
        });
    }

    @Test
    void inboundHeadersAndQueryParametersNeverReachTheTarget() {
        given().contentType("application/json").body(SEED)
                .header("Authorization", "Bearer secret-token-123")
                .header("Cookie", "session=abc123")
                .header("CamelHttpUri", "http://127.0.0.1:1/x")
                .header("cAMELhTTPpATH", "/evil")
                .header("X-Custom-Header", "leak")
                .queryParam("CamelHttpUri", "http://127.0.0.1:1/y")
                .queryParam("tracking", "leak")
                .when().post("/api/policies")
                .then().statusCode(200).body("status", equalTo("success"));
        List<LoggedRequest> received = wireMock.findAll(anyRequestedFor(anyUrl()));
        assertThat(received).isNotEmpty();
        for (LoggedRequest request : received) {
            assertThat(request.getUrl()).isIn("/target/packages", "/scheduling/events", "/records/events");
            for (HttpHeader header : request.getHeaders().all()) {
                String name = header.key().toLowerCase(Locale.ROOT);
                assertThat(name).doesNotStartWith("camel").isNotIn("authorization", "cookie", "x-custom-header");
                assertThat(header.values()).noneMatch(v -> v.contains("secret-token") || v.contains("leak")
                        || v.contains("evil"));
            }
        }
        String audit = readAudit();
        assertThat(audit).doesNotContain("secret-token-123").doesNotContain("abc123");
    }

    @Test
    void notifiedSubscriberWithSecretGetsAValidStandardWebhooksSignature() throws Exception {
        given().contentType("application/json").body(SEED).when().post("/api/policies").then().statusCode(200);
        LoggedRequest event = wireMock.findAll(postRequestedFor(urlEqualTo("/records/events"))).get(0);
        String id = event.getHeader("webhook-id");
        String timestamp = event.getHeader("webhook-timestamp");
        String secret = PipelineTestResources.RECORDS_SECRET.substring("whsec_".length());
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(java.util.Base64.getDecoder().decode(secret), "HmacSHA256"));
        String expected = "v1," + java.util.Base64.getEncoder().encodeToString(
                mac.doFinal((id + "." + timestamp + "." + event.getBodyAsString()).getBytes(StandardCharsets.UTF_8)));
        assertThat(event.getHeader("webhook-signature")).isEqualTo(expected);
        LoggedRequest unsigned = wireMock.findAll(postRequestedFor(urlEqualTo("/scheduling/events"))).get(0);
        assertThat(unsigned.containsHeader("webhook-signature")).isFalse();
    }

    @Test
    void wrongMethodIs405WithAllowAndUnknownPathIsJson404() {
        given().when().get("/api/policies")
                .then().statusCode(405).header("Allow", "OPTIONS, POST").contentType("application/json")
                .body("status", equalTo("failure"));
        given().when().get("/api/nothing-here")
                .then().statusCode(404).contentType("application/json")
                .body("status", equalTo("failure"));
    }

    private static String readAudit() {
        try {
            return Files.readString(PipelineTestResources.auditFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** RFC 8785 for this flat all-string object, written out by hand: keys sorted, no spaces. */
    private static String independentSha256OfCanonicalSeed() {
        String canonical = "{\"content\":\"All adults may receive a booster every 6 months.\","
                + "\"id\":\"policy-2023-vax\",\"title\":\"COVID-19 Booster Guidelines\"}";
        return sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
