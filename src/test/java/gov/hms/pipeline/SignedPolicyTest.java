package gov.hms.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.util.Base64URL;
import gov.hms.pipeline.support.AnotherSystem;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.PipelineTestResources;
import gov.hms.pipeline.support.SignedPolicyTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Detached JWS signatures (RFC 7515 appendix F) over the policy's RFC 8785 canonical JSON, made
 * here with the JWS library and fresh keys, verified by the service against its JWKS, with
 * {@code pipeline.signature.required=true}.
 */
@QuarkusTest
@QuarkusTestResource(value = SignedPolicyTestResources.class, restrictToAnnotatedClass = true)
class SignedPolicyTest {

    static final String POLICY = "{\"id\":\"policy-signed\",\"title\":\"Signed rule\",\"content\":\"Approved text.\",\"version\":2}";
    /** The canonical form of POLICY, written out by hand (RFC 8785: sorted keys, no spaces). */
    static final String CANONICAL = "{\"content\":\"Approved text.\",\"id\":\"policy-signed\",\"title\":\"Signed rule\",\"version\":2}";

    private WireMockServer wireMock;

    /**
     * POLICY (and its canonical form) under another id: every test that expects a delivery deploys
     * content of its own, since content already live everywhere is not delivered again.
     */
    private static String as(String json, String id) {
        return json.replace("policy-signed", id);
    }

    @BeforeEach
    void scriptSystems() {
        wireMock = PipelineTestResources.healthySystems();
    }

    private static io.restassured.response.ValidatableResponse postSigned(String signature, String policy) {
        return given().contentType("application/json").header("X-Policy-Signature", signature)
                .body(policy).when().post("/api/policies").then();
    }

    private static String detachedJws(JWSSigner signer, JWSAlgorithm algorithm, String keyId, String payload) throws Exception {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(algorithm).keyID(keyId).build(),
                new Payload(payload.getBytes(StandardCharsets.UTF_8)));
        jws.sign(signer);
        return jws.serialize(true);
    }

    @Test
    void ed25519SignedPolicyIsVerifiedAndTheKeyIdAudited() throws Exception {
        String signature = detachedJws(new Ed25519Signer(SignedPolicyTestResources.edKey()), JWSAlgorithm.EdDSA,
                "approver-ed", as(CANONICAL, "policy-signed-ed"));
        assertThat(signature).contains("..");
        String deploymentId = postSigned(signature, as(POLICY, "policy-signed-ed"))
                .statusCode(200).body("status", equalTo("success"))
                .extract().path("deploymentId");
        wireMock.verify(1, postRequestedFor(urlEqualTo("/target/packages")));
        assertThat(AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId))
                .filteredOn(r -> r.path("step").asText().equals("validated"))
                .singleElement()
                .satisfies(r -> assertThat(r.path("detail").asText()).contains("approver-ed"));
    }

    @Test
    void es256SignatureIsAcceptedToo() throws Exception {
        String signature = detachedJws(new ECDSASigner(SignedPolicyTestResources.ecKey()), JWSAlgorithm.ES256,
                "approver-ec", as(CANONICAL, "policy-signed-ec"));
        postSigned(signature, as(POLICY, "policy-signed-ec"))
                .statusCode(200);
    }

    @Test
    void contentChangedAfterSigningIsRejected() throws Exception {
        String signature = detachedJws(new Ed25519Signer(SignedPolicyTestResources.edKey()), JWSAlgorithm.EdDSA,
                "approver-ed", CANONICAL);
        postSigned(signature, POLICY.replace("Approved text.", "Altered text."))
                .statusCode(422).body("status", equalTo("failure"))
                .body("error", containsString("does not match"));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void keyOutsideTheKeySetIsRejected() throws Exception {
        String signature = detachedJws(new Ed25519Signer(SignedPolicyTestResources.strangerKey()), JWSAlgorithm.EdDSA,
                "stranger", CANONICAL);
        postSigned(signature, POLICY)
                .statusCode(422).body("error", containsString("stranger"));
        String lyingKeyId = detachedJws(new Ed25519Signer(SignedPolicyTestResources.strangerKey()), JWSAlgorithm.EdDSA,
                "approver-ed", CANONICAL);
        postSigned(lyingKeyId, POLICY)
                .statusCode(422).body("error", containsString("does not match"));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void algorithmNoneAndHmacAreRejected() {
        String none = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"approver-ed\"}") + "..";
        postSigned(none, POLICY)
                .statusCode(422).body("status", equalTo("failure"));
        String hmac = Base64URL.encode("{\"alg\":\"HS256\",\"kid\":\"approver-ed\"}") + ".."
                + Base64URL.encode("not-a-real-mac");
        postSigned(hmac, POLICY)
                .statusCode(422).body("error", containsString("HS256"));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void queueMessagesCarryTheSignatureInThePolicySignatureProperty() throws Exception {
        String signature = detachedJws(new Ed25519Signer(SignedPolicyTestResources.edKey()), JWSAlgorithm.EdDSA,
                "approver-ed", as(CANONICAL, "policy-signed-queue"));
        try (AnotherSystem agency = new AnotherSystem(PipelineTestResources.brokerAmqpUrl(), null, null)) {
            agency.sendText("policies.approved", as(POLICY, "policy-signed-queue").replace("Approved text.", "Altered text."),
                    java.util.Map.of("policySignature", signature));
            jakarta.jms.Message dead = agency.receive("policies.approved.DLQ", java.time.Duration.ofSeconds(60));
            assertThat(dead).isNotNull();
            assertThat(dead.getStringProperty("failureReason")).contains("does not match");
            agency.sendText("policies.approved", as(POLICY, "policy-signed-queue"), java.util.Map.of("policySignature", signature));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).untilAsserted(() ->
                    wireMock.verify(1, postRequestedFor(urlEqualTo("/target/packages"))));
        }
    }

    @Test
    void inboxFilesCarryTheSignatureInAJwsSidecar() throws Exception {
        String signature = detachedJws(new Ed25519Signer(SignedPolicyTestResources.edKey()), JWSAlgorithm.EdDSA,
                "approver-ed", as(CANONICAL, "policy-signed-inbox"));
        java.nio.file.Path inbox = PipelineTestResources.inboxDir();
        java.nio.file.Files.createDirectories(inbox);
        // The sidecar first, then the policy under its final name (written aside, then renamed).
        java.nio.file.Files.writeString(inbox.resolve("tampered.json.jws"), signature);
        java.nio.file.Files.writeString(inbox.resolve("tampered.json.tmp"), as(POLICY, "policy-signed-inbox").replace("Approved text.", "Altered."));
        java.nio.file.Files.move(inbox.resolve("tampered.json.tmp"), inbox.resolve("tampered.json"));
        java.nio.file.Files.writeString(inbox.resolve("signed.json.jws"), signature);
        java.nio.file.Files.writeString(inbox.resolve("signed.json.tmp"), as(POLICY, "policy-signed-inbox"));
        java.nio.file.Files.move(inbox.resolve("signed.json.tmp"), inbox.resolve("signed.json"));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(inbox.resolve(".failed")).isDirectory();
            assertThat(inbox.resolve(".done")).isDirectory();
            try (var failed = java.nio.file.Files.list(inbox.resolve(".failed"));
                 var done = java.nio.file.Files.list(inbox.resolve(".done"))) {
                assertThat(failed.map(p -> p.getFileName().toString()))
                        .anyMatch(n -> n.startsWith("tampered") && n.endsWith(".error.json"));
                assertThat(done.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("signed"));
            }
        });
        wireMock.verify(1, postRequestedFor(urlEqualTo("/target/packages")));
        try (var left = java.nio.file.Files.list(inbox)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".jws"));
        }
    }

    @Test
    void requiredModeRejectsAnUnsignedPolicy() {
        given().contentType("application/json").body(POLICY).when().post("/api/policies")
                .then().statusCode(422).body("error", containsString("unsigned"))
                .body("errors[0].path", equalTo(""));
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }
}
