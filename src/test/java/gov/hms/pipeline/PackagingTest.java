package gov.hms.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.jwk.JWKSet;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.PackageVerifier;
import gov.hms.pipeline.support.PackagingTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Packaging through the running service: one deployment to a {@code json} target and a
 * {@code zip} target, signed with the key whose public half {@code GET /api/keys} publishes.
 */
@QuarkusTest
@QuarkusTestResource(value = PackagingTestResources.class, restrictToAnnotatedClass = true)
class PackagingTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private WireMockServer wireMock;

    @BeforeEach
    void scriptTargets() {
        wireMock = PackagingTestResources.healthyTargets();
    }

    private static String policy(String id, String content) {
        return """
                {"id":"%s","title":"Records retention","content":"%s","version":3,
                 "approval":{"approvedAt":"2025-03-01T09:00:00Z"}}""".formatted(id, content);
    }

    private Response deploy(String policy) {
        return given().contentType("application/json").body(policy)
                .when().post("/api/policies")
                .then().extract().response();
    }

    private LoggedRequest lastTo(String path) {
        List<LoggedRequest> requests = wireMock.findAll(postRequestedFor(urlEqualTo(path)));
        assertThat(requests).as(path).isNotEmpty();
        return requests.get(requests.size() - 1);
    }

    @Test
    void oneDeploymentGivesEachTargetItsOwnFormat() throws Exception {
        Response response = deploy(policy("policy-two-targets", "Keep records for seven years."));
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.<List<String>>path("deliveries.target"))
                .containsExactly(PackagingTestResources.ZIP_TARGET, PackagingTestResources.JSON_TARGET);

        LoggedRequest json = lastTo("/json-target/packages");
        LoggedRequest zip = lastTo("/zip-target/packages");
        assertThat(json.getHeader("Content-Type")).startsWith("application/json");
        assertThat(zip.getHeader("Content-Type")).startsWith("application/zip");
        assertThat(mapper.readTree(json.getBody()).at("/manifest/format").asText()).isEqualTo("json");
        assertThat(PackageVerifier.entries(zip.getBody())).containsKeys("manifest.json", "policy.json", "signatures.json");

        String policySha256 = response.path("policySha256");
        for (LoggedRequest request : List.of(json, zip)) {
            assertThat(request.getHeader("Idempotency-Key")).isEqualTo(policySha256);
            assertThat(request.getHeader("X-Policy-Id")).isEqualTo("policy-two-targets");
            assertThat(request.getHeader("X-Package-Sha256")).isEqualTo(PackageVerifier.sha256Hex(request.getBody()));
        }
        assertThat((String) response.path("packageSha256")).isEqualTo(json.getHeader("X-Package-Sha256"));

        // Archived in the ledger, byte for byte what was delivered.
        assertThat(archived("policy-two-targets", "1", "json")).isEqualTo(json.getBody());
        assertThat(archived("policy-two-targets", "1", "zip")).isEqualTo(zip.getBody());

        List<JsonNode> records = AuditLogReader.recordsOf(PackagingTestResources.auditFile(), response.path("deploymentId"));
        assertThat(records).extracting(r -> r.path("step").asText())
                .containsExactly("received", "validated", "packaged", "delivered", "delivered", "completed");
        String packaged = records.get(2).path("detail").asText();
        assertThat(packaged)
                .contains("json package sha256=" + json.getHeader("X-Package-Sha256") + " size=" + json.getBody().length + " bytes")
                .contains("zip package sha256=" + zip.getHeader("X-Package-Sha256") + " size=" + zip.getBody().length + " bytes");
        assertThat(records.get(3).path("detail").asText() + records.get(4).path("detail").asText())
                .contains("zip package sha256=" + zip.getHeader("X-Package-Sha256"))
                .contains("json package sha256=" + json.getHeader("X-Package-Sha256"));
    }

    @Test
    void zipVerifiesWithTheKeysFromApiKeysAndATamperedEntryDoesNot() throws Exception {
        String policy = policy("policy-signed", "Signed \\u00e9 content.");
        assertThat(deploy(policy).statusCode()).isEqualTo(200);
        byte[] zip = lastTo("/zip-target/packages").getBody();

        String jwksJson = given().when().get("/api/keys")
                .then().statusCode(200).contentType(startsWith("application/jwk-set+json"))
                .extract().asString();
        JWKSet jwks = JWKSet.parse(jwksJson);
        assertThat(jwks.getKeys()).hasSize(1);
        assertThat(jwks.getKeys().get(0).getKeyID()).isEqualTo(PackagingTestResources.KEY_ID);
        assertThat(jwks.getKeys().get(0).isPrivate()).isFalse();
        assertThat(jwksJson).doesNotContain("\"d\"");

        if (PackageVerifier.unzipInstalled()) {
            assertThat(PackageVerifier.systemUnzipTest(zip)).contains("No errors detected");
        } // else: the system unzip is not installed; ZipPackageTest reports that as a skipped test.
        Map<String, byte[]> entries = PackageVerifier.entries(zip);
        assertThat(entries.keySet()).containsExactly("manifest.json", "policy.json", "signatures.json");
        assertThat(entries.get("policy.json")).isEqualTo(PackageVerifier.canonical(mapper.readTree(policy)));
        assertThat(new String(entries.get("policy.json"), StandardCharsets.UTF_8)).contains("Signed é content.");
        JsonNode manifest = mapper.readTree(entries.get("manifest.json"));
        assertThat(manifest.path("policyId").asText()).isEqualTo("policy-signed");
        assertThat(manifest.path("version").asInt()).isEqualTo(3);
        assertThat(manifest.path("createdAt").asText()).isEqualTo("2025-03-01T09:00:00Z");
        assertThat(manifest.at("/generator/name").asText()).isEqualTo("policy-deployment-pipeline");
        assertThat(manifest.at("/generator/version").asText()).isNotBlank();
        assertThat(PackageVerifier.zipProblems(entries, jwks)).isEmpty();

        Map<String, byte[]> tampered = new LinkedHashMap<>(entries);
        tampered.put("policy.json", new String(entries.get("policy.json"), StandardCharsets.UTF_8)
                .replace("Signed", "Forged").getBytes(StandardCharsets.UTF_8));
        assertThat(PackageVerifier.zipProblems(tampered, jwks)).isNotEmpty();

        byte[] envelope = lastTo("/json-target/packages").getBody();
        assertThat(PackageVerifier.envelopeProblems(envelope, jwks)).isEmpty();
        byte[] forgedEnvelope = new String(envelope, StandardCharsets.UTF_8).replace("2025-03-01T09:00:00Z", "2025-03-02T09:00:00Z")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(PackageVerifier.envelopeProblems(forgedEnvelope, jwks)).contains("signature does not verify");
    }

    @Test
    void samePolicyTwiceIsNotDeliveredAgainAndChangedContentGetsADifferentPackage() throws Exception {
        String policy = policy("policy-repeat", "Same every time.");
        assertThat(deploy(policy).statusCode()).isEqualTo(200);
        assertThat(deploy(policy.replace("{\"id\"", "{ \"id\"")).statusCode()).isEqualTo(200);
        for (String path : List.of("/json-target/packages", "/zip-target/packages")) {
            assertThat(wireMock.findAll(postRequestedFor(urlEqualTo(path)))).as(path).hasSize(1);
        }
        String firstZipSha = lastTo("/zip-target/packages").getHeader("X-Package-Sha256");

        assertThat(deploy(policy("policy-repeat", "Changed once.")).statusCode()).as("same version 3, other content")
                .isEqualTo(409);
        assertThat(deploy(policy("policy-repeat", "Changed once.").replace("\"version\":3", "\"version\":4")).statusCode())
                .isEqualTo(200);
        assertThat(lastTo("/zip-target/packages").getHeader("X-Package-Sha256")).isNotEqualTo(firstZipSha);
        assertThat(PackageVerifier.sha256Hex(archived("policy-repeat", "1", "zip"))).isEqualTo(firstZipSha);
        assertThat(archived("policy-repeat", "2", "zip")).isEqualTo(lastTo("/zip-target/packages").getBody());
    }

    /** The package the ledger archived for a revision, checked against its X-Package-Sha256. */
    private static byte[] archived(String policyId, String revision, String format) {
        Response response = given().queryParam("format", format)
                .when().get("/api/policies/" + policyId + "/versions/" + revision + "/package")
                .then().statusCode(200).extract().response();
        byte[] bytes = response.asByteArray();
        assertThat(PackageVerifier.sha256Hex(bytes)).isEqualTo(response.header("X-Package-Sha256"));
        return bytes;
    }

    @Test
    void packageLargerThanMaxBytesIs413AndNothingIsDeliveredOrArchived() {
        String content = "x".repeat(PackagingTestResources.MAX_BYTES);
        Response response = given().contentType("application/json").body(policy("policy-too-big", content))
                .when().post("/api/policies")
                .then().statusCode(413).contentType("application/json")
                .body("status", equalTo("failure"))
                .body("error", startsWith("Package too large"))
                .extract().response();
        wireMock.verify(0, anyRequestedFor(anyUrl()));
        given().when().get("/api/policies/policy-too-big").then().statusCode(404);
        assertThat(AuditLogReader.stepsOf(PackagingTestResources.auditFile(), response.path("deploymentId")))
                .containsExactly("received", "validated", "rejected", "failed");
    }

    @Test
    void referenceRegistryRefusesAPackageThatDoesNotMatchItsSha256() {
        given().contentType("application/json").header("X-Policy-Id", "policy-x")
                .header("X-Package-Sha256", "0".repeat(64)).body("{\"a\":1}")
                .when().post("/registry/packages")
                .then().statusCode(400).body("error", startsWith("X-Package-Sha256"));
    }
}
