package gov.hms.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.FanOutTestResources;
import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Subscribers that hang, fail, disappear and come back, over real HTTP (WireMock): parallel and
 * isolated fan-out, the durable outbox and its retries, Standard Webhooks signatures checked
 * independently, 410 Gone. See {@link FanOutTestResources} for the subscribers and the
 * notification left over from a "previous run".
 */
@QuarkusTest
@QuarkusTestResource(value = FanOutTestResources.class, restrictToAnnotatedClass = true)
class SubscriberFanOutTest {

    private WireMockServer wireMock;

    @jakarta.inject.Inject
    gov.hms.pipeline.notification.NotificationOutbox outbox;

    @BeforeEach
    void scriptSystems() {
        wireMock = PipelineTestResources.healthySystems();
        wireMock.stubFor(post(urlPathMatching("/fanout/.*")).willReturn(aResponse().withStatus(204)));
    }

    @Test
    void aHangingSubscriberHoldsNeitherTheOthersNorTheAnswer() {
        // Slow answers after 30 s; the caller waits at most 1 s (pipeline.notification.timeout).
        wireMock.stubFor(post(urlEqualTo("/fanout/slow")).willReturn(aResponse().withStatus(204).withFixedDelay(30_000)));
        Response response = deploy().then().statusCode(200).body("status", equalTo("success")).extract().response();
        Instant answered = Instant.now();
        // From the delivery to the target (so start-up warm-up of the test client does not count) to the answer.
        Duration elapsed = Duration.between(
                wireMock.findAll(postRequestedFor(urlEqualTo("/target/packages"))).get(0).getLoggedDate().toInstant(), answered);

        Map<String, String> status = statusBySubscriber(response);
        assertThat(status).containsEntry("slow", "pending").containsEntry("fast", "notified")
                .containsEntry("signed", "notified").containsEntry("records", "notified");
        // A bound, not a benchmark: the answer did not wait for slow (30 s), nor for its 15 s response timeout.
        assertThat(elapsed).isLessThan(Duration.ofSeconds(10));
        LoggedRequest fast = wireMock.findAll(postRequestedFor(urlEqualTo("/fanout/fast"))).get(0);
        assertThat(fast.getLoggedDate().toInstant()).isBefore(answered);

        // Slow times out (15 s) in the background and is retried from the outbox once it answers again.
        String deploymentId = response.path("deploymentId");
        wireMock.stubFor(post(urlEqualTo("/fanout/slow")).willReturn(aResponse().withStatus(204)));
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId).stream()
                        .filter(r -> r.path("step").asText().equals("notified"))
                        .map(r -> r.path("detail").asText()))
                .anyMatch(detail -> detail.startsWith("subscriber slow")));
        awaitOutboxEmpty();
    }

    @Test
    void retriesFromTheOutboxKeepTheWebhookIdAndEverySignatureVerifies() {
        wireMock.stubFor(post(urlEqualTo("/fanout/signed")).inScenario("signed").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("second"));
        wireMock.stubFor(post(urlEqualTo("/fanout/signed")).inScenario("signed").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(500)).willSetStateTo("up"));
        wireMock.stubFor(post(urlEqualTo("/fanout/signed")).inScenario("signed").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(204)));
        Response response = deploy().then().statusCode(200).extract().response();
        String deploymentId = response.path("deploymentId");
        assertThat(statusBySubscriber(response)).containsEntry("signed", "pending").containsEntry("fast", "notified");

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> requestsFor("/fanout/signed", deploymentId).size() >= 3);
        List<LoggedRequest> attempts = requestsFor("/fanout/signed", deploymentId);
        assertThat(attempts).hasSize(3);
        assertThat(attempts).extracting(r -> r.getHeader("webhook-id")).containsOnly("msg_" + deploymentId);
        assertThat(attempts.stream().map(LoggedRequest::getBodyAsString).distinct()).hasSize(1);
        attempts.forEach(this::assertSignedBySignedSecret);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), deploymentId))
                        .containsSubsequence("notify-failed", "completed", "notify-failed", "notified"));
        awaitOutboxEmpty();
        // The ledger's record of the deployment follows the retry: pending at the answer, notified now.
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                given().when().get("/api/deployments/" + deploymentId).then().statusCode(200).extract().jsonPath()
                        .getMap("notifications.find { it.subscriber == 'signed' }"))
                .containsEntry("status", "notified").containsEntry("httpStatus", 204));
    }

    @Test
    void aNotificationLeftPendingByAnEarlierRunIsSentAfterRestart() {
        String webhookId = "msg_" + FanOutTestResources.LEFT_OVER_DEPLOYMENT;
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> FanOutTestResources.received().stream()
                .anyMatch(r -> r.getUrl().equals("/fanout/signed") && webhookId.equals(r.getHeader("webhook-id"))));
        LoggedRequest sent = FanOutTestResources.received().stream()
                .filter(r -> r.getUrl().equals("/fanout/signed") && webhookId.equals(r.getHeader("webhook-id")))
                .findFirst().orElseThrow();
        assertThat(sent.getBodyAsString()).isEqualTo(FanOutTestResources.LEFT_OVER_EVENT);
        assertSignedBySignedSecret(sent);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), FanOutTestResources.LEFT_OVER_DEPLOYMENT))
                        .contains("notified"));
        awaitOutboxEmpty();
    }

    @Test
    void goneDisablesTheSubscriberWithAWarningAndAnAuditRecord() {
        wireMock.stubFor(post(urlEqualTo("/fanout/retiring")).willReturn(aResponse().withStatus(410)));
        Response first = deploy().then().statusCode(200).body("status", equalTo("success")).extract().response();
        assertThat(statusBySubscriber(first)).containsEntry("retiring", "failed").containsEntry("fast", "notified");
        String deploymentId = first.path("deploymentId");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), deploymentId))
                        .contains("notify-failed", "subscriber-disabled"));
        String detail = AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId).stream()
                .filter(r -> r.path("step").asText().equals("subscriber-disabled")).findFirst().orElseThrow()
                .path("detail").asText();
        assertThat(detail).contains("retiring").contains("410");
        awaitOutboxEmpty();
        assertThat(outbox.abandoned()).isPositive();

        Response second = deploy().then().statusCode(200).extract().response();
        assertThat(statusBySubscriber(second)).doesNotContainKey("retiring").containsEntry("fast", "notified");
        wireMock.verify(1, postRequestedFor(urlEqualTo("/fanout/retiring")));
    }

    private static Response deploy() {
        return given().contentType("application/json").body(HttpDeploymentTest.seedCopy("fan-out")).when().post("/api/policies");
    }

    private static Map<String, String> statusBySubscriber(Response response) {
        List<Map<String, Object>> notifications = response.path("notifications");
        Map<String, String> status = new TreeMap<>();
        notifications.forEach(n -> status.put((String) n.get("subscriber"), (String) n.get("status")));
        return status;
    }

    private static List<LoggedRequest> requestsFor(String path, String deploymentId) {
        return FanOutTestResources.received().stream()
                .filter(r -> r.getUrl().equals(path) && ("msg_" + deploymentId).equals(r.getHeader("webhook-id")))
                .toList();
    }

    /** Standard Webhooks, computed here from the spec: v1,base64(HMAC-SHA256(key, id.timestamp.body)). */
    private void assertSignedBySignedSecret(LoggedRequest request) {
        try {
            byte[] key = Base64.getDecoder().decode(FanOutTestResources.SIGNED_SECRET.substring("whsec_".length()));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            String signed = request.getHeader("webhook-id") + "." + request.getHeader("webhook-timestamp") + "."
                    + request.getBodyAsString();
            String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
            assertThat(request.getHeader("webhook-signature")).isEqualTo(expected);
            long timestamp = Long.parseLong(request.getHeader("webhook-timestamp"));
            assertThat(Math.abs(Instant.now().getEpochSecond() - timestamp)).isLessThan(300);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitOutboxEmpty() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> outbox.pending() == 0);
    }
}
