package gov.hms.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hostile and borderline input over HTTP: limits, duplicates, numbers, dry run. */
@QuarkusTest
@QuarkusTestResource(value = PipelineTestResources.class, restrictToAnnotatedClass = true)
class ValidationHttpTest {

    static final String SEED = "{\"id\":\"policy-2023-vax\",\"title\":\"COVID-19 Booster Guidelines\","
            + "\"content\":\"All adults may receive a booster every 6 months.\"}";

    @TestHTTPResource("/api/policies")
    URI policiesUri;

    private final ObjectMapper mapper = new ObjectMapper();
    private WireMockServer wireMock;

    @BeforeEach
    void scriptSystems() {
        wireMock = PipelineTestResources.healthySystems();
    }

    private static byte[] twoMebibytePolicy() {
        return ("{\"id\":\"big\",\"title\":\"t\",\"content\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void twoMebibytesIs413WithAJsonAnswer() {
        given().contentType("application/json").body(twoMebibytePolicy())
                .when().post("/api/policies")
                .then().statusCode(413).contentType("application/json")
                .body("status", equalTo("failure"))
                .body("error", containsString("too large"));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void twoMebibytesChunkedIs413Too() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(policiesUri)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                // An input stream of unknown length is sent with Transfer-Encoding: chunked.
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(twoMebibytePolicy())))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(mapper.readTree(response.body()).path("status").asText()).isEqualTo("failure");
    }

    @Test
    void deepNestingIsRefusedAndTheServiceStaysHealthy() {
        String depth65 = "{\"id\":\"deep\",\"title\":\"t\",\"content\":\"c\",\"x\":" + "[".repeat(64) + "]".repeat(64) + "}";
        given().contentType("application/json").body(depth65).when().post("/api/policies")
                .then().statusCode(400).body("status", equalTo("failure"));
        given().contentType("application/json").body("[".repeat(100_000)).when().post("/api/policies")
                .then().statusCode(400).body("status", equalTo("failure"));
        gov.hms.pipeline.support.Readiness.awaitReady();
        given().contentType("application/json").body(SEED).when().post("/api/policies").then().statusCode(200);
    }

    @Test
    void duplicateKeysAreRejected() {
        given().contentType("application/json").body("{\"id\":\"p1\",\"id\":\"../x\",\"title\":\"t\",\"content\":\"c\"}")
                .when().post("/api/policies")
                .then().statusCode(400).body("error", containsString("Duplicate field 'id'"));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aByteOrderMarkedPolicyIsAccepted() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        body.writeBytes(SEED.getBytes(StandardCharsets.UTF_8));
        given().contentType("application/json").body(body.toByteArray()).when().post("/api/policies")
                .then().statusCode(200).body("status", equalTo("success"));
    }

    @Test
    void numbersADoubleCannotHoldAreRefusedAtTheirPaths() {
        given().contentType("application/json")
                .body("{\"id\":\"n1\",\"title\":\"t\",\"content\":\"c\",\"dose\":12345678901234567890.123456789012345678901,"
                        + "\"limits\":{\"max\":1e400}}")
                .when().post("/api/policies")
                .then().statusCode(422)
                .body("errors.path", containsInAnyOrder("/dose", "/limits/max"));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    /** Bug hunt: a 100-digit exponent was a 500 "Internal error" (Jackson: Too many nonzero exponent digits). */
    @Test
    void aNumberWithAHundredDigitExponentIsMalformedJson400() {
        given().contentType("application/json")
                .body("{\"id\":\"num\",\"title\":\"t\",\"content\":\"c\",\"n\":1e" + "9".repeat(100) + "}")
                .when().post("/api/policies")
                .then().statusCode(400)
                .body("status", equalTo("failure"))
                .body("error", startsWith("Malformed JSON: number out of range"));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void numbersADoubleHoldsAreDeliveredWithTheSameValues() throws Exception {
        given().contentType("application/json")
                .body("{\"id\":\"n2\",\"title\":\"t\",\"content\":\"c\",\"a\":0.1,\"b\":-3,\"c\":2.5e3}")
                .when().post("/api/policies")
                .then().statusCode(200);
        JsonNode delivered = mapper.readTree(
                wireMock.findAll(postRequestedFor(urlEqualTo("/target/packages"))).get(0).getBody());
        assertThat(delivered.at("/policy/a").doubleValue()).isEqualTo(0.1);
        assertThat(delivered.at("/policy/b").doubleValue()).isEqualTo(-3.0);
        assertThat(delivered.at("/policy/c").doubleValue()).isEqualTo(2500.0);
    }

    @Test
    void threeErrorsInOnePolicyComeInOneAnswer() {
        given().contentType("application/json")
                .body("{\"id\":\"p3\",\"content\":\"c\",\"status\":\"draft\",\"effectiveDate\":\"someday\"}")
                .when().post("/api/policies")
                .then().statusCode(422)
                .body("errors.path", containsInAnyOrder("/title", "/status", "/effectiveDate"));
    }

    @Test
    void dryRunValidatesAndPackagesButDeliversNothing() {
        String viaEndpoint = given().contentType("application/json").body(SEED)
                .when().post("/api/policies/validate")
                .then().statusCode(200)
                .body("status", equalTo("success"))
                .body("dryRun", equalTo(true))
                .body("targets", hasItem("live"))
                .body("packageSha256", org.hamcrest.Matchers.matchesPattern("[0-9a-f]{64}"))
                .extract().path("deploymentId");
        given().contentType("application/json").body(SEED)
                .when().post("/api/policies?dryRun=true")
                .then().statusCode(200).body("dryRun", equalTo(true));
        given().contentType("application/json").body("{\"id\":\"p1\"}")
                .when().post("/api/policies/validate")
                .then().statusCode(422);
        wireMock.verify(0, anyRequestedFor(anyUrl()));
        assertThat(AuditLogReader.recordsOf(PipelineTestResources.auditFile(), viaEndpoint))
                .last().satisfies(r -> {
                    assertThat(r.path("step").asText()).isEqualTo("completed");
                    assertThat(r.path("detail").asText()).startsWith("dry run");
                });
    }

    /** Issue 17, cases 2 and 3: numbers in their shortest or exact form, then the delivered policy sent back. */
    @Test
    void theServiceAcceptsItsOwnOutputUnchangedWithTheSameHash() throws Exception {
        String policy = "{\"id\":\"n3\",\"title\":\"t\",\"content\":\"c\",\"numbers\":[1e20,1e23,8.41e21,5e-324,1e-320,"
                + "9007199254740992,1152921504606846976,0.1,-0.0],\"emoji\":\"\\ud83d\\ude00\"}";
        String first = given().contentType("application/json").body(policy)
                .when().post("/api/policies")
                .then().statusCode(200).extract().path("policySha256");
        String envelope = wireMock.findAll(postRequestedFor(urlEqualTo("/target/packages"))).get(0).getBodyAsString();
        assertThat(envelope).contains("\"numbers\":[100000000000000000000,1e+23,8.41e+21,5e-324,1e-320,"
                + "9007199254740992,1152921504606847000,0.1,0]");
        String deliveredPolicy = envelope.substring(envelope.indexOf("\"policy\":") + "\"policy\":".length(), envelope.length() - 1);
        wireMock.resetRequests();

        // The same hash, so the deployment ledger knows it as the content already live: nothing is sent again.
        io.restassured.response.Response second = given().contentType("application/json")
                .body(deliveredPolicy.getBytes(StandardCharsets.UTF_8)).when().post("/api/policies")
                .then().statusCode(200).extract().response();
        assertThat((String) second.path("policySha256")).isEqualTo(first);
        assertThat(second.jsonPath().getList("deliveries")).isEmpty();
        assertThat(wireMock.findAll(postRequestedFor(urlEqualTo("/target/packages")))).isEmpty();
    }

    /** Issue 17, case 3: 2^53 + 1 lies between two doubles; the answer says which one is nearest. */
    @Test
    void anIntegerBetweenTwoDoublesIsRefusedWithATrueMessage() {
        given().contentType("application/json")
                .body("{\"id\":\"n4\",\"title\":\"t\",\"content\":\"c\",\"n\":9007199254740993}")
                .when().post("/api/policies")
                .then().statusCode(422)
                .body("errors[0].path", equalTo("/n"))
                .body("errors[0].message", containsString("the nearest is 9007199254740992"));
    }

    /** Issue 17, case 1: "\ud800" used to be canonicalized as "?", giving two policies one hash. */
    @Test
    void loneSurrogatesAreRefusedAtTheirPointer() {
        given().contentType("application/json")
                .body("{\"id\":\"s1\",\"title\":\"\\ud800\",\"content\":\"c\"}")
                .when().post("/api/policies")
                .then().statusCode(422).contentType("application/json")
                .body("errors.path", containsInAnyOrder("/title"))
                .body("errors[0].message", containsString("U+D800"));
        given().contentType("application/json")
                .body("{\"id\":\"s1\",\"title\":\"?\",\"content\":\"c\"}")
                .when().post("/api/policies")
                .then().statusCode(200);
        wireMock.verify(1, postRequestedFor(urlEqualTo("/target/packages")));
    }

    /** Issue 17, case 4: only true and false are booleans; anything else used to deploy for real. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"1", "yes", "on", "TRUE", "", "0", "true&dryRun=false"})
    void aDryRunFlagThatIsNotABooleanIs400(String flag) {
        given().contentType("application/json").body(SEED)
                .when().post("/api/policies?dryRun=" + flag)
                .then().statusCode(400).contentType("application/json")
                .body("status", equalTo("failure"))
                .body("error", containsString("dryRun"));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void dryRunFalseDeploys() {
        given().contentType("application/json").body(SEED)
                .when().post("/api/policies?dryRun=false")
                .then().statusCode(200).body("dryRun", org.hamcrest.Matchers.nullValue());
        wireMock.verify(1, postRequestedFor(urlEqualTo("/target/packages")));
    }

    /** Issue 17, case 7: ECMA-262 white space (JSON Schema's regular expressions) is blank, not only ASCII. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"\u00a0", "\u3000", "\u2028", " \u2029\ufeff\u1680\u2000\u200a\u202f\u205f\u000b\u000c "})
    void aTitleOfUnicodeWhiteSpaceIsBlank(String blank) throws Exception {
        String policy = mapper.writeValueAsString(java.util.Map.of("id", "w1", "title", blank, "content", blank));
        given().contentType("application/json").body(policy.getBytes(StandardCharsets.UTF_8))
                .when().post("/api/policies")
                .then().statusCode(422)
                .body("errors.path", containsInAnyOrder("/title", "/content"));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    /** Issue 17, case 7: RFC 3339 section 5.6 date-time has "T" (or "t") between date and time, never a space. */
    @Test
    void aDateTimeWithoutTheTSeparatorIsRefused() {
        given().contentType("application/json")
                .body("{\"id\":\"d1\",\"title\":\"t\",\"content\":\"c\",\"effectiveDate\":\"2024-10-01 08:00:00Z\","
                        + "\"approval\":{\"approvedAt\":\"2024-09-12 14:30:00Z\"}}")
                .when().post("/api/policies")
                .then().statusCode(422)
                .body("errors.path", containsInAnyOrder("/effectiveDate", "/approval/approvedAt"));
        given().contentType("application/json")
                .body("{\"id\":\"d2\",\"title\":\"t\",\"content\":\"c\",\"approval\":{\"approvedAt\":\"2024-09-12t14:30:00z\"}}")
                .when().post("/api/policies")
                .then().statusCode(200);
        wireMock.verify(0, postRequestedFor(urlEqualTo("/target/packages")).withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.containing("2024-09-12 14:30:00Z")));
    }
}
