package gov.hms.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import gov.hms.pipeline.broker.EmbeddedBroker;
import gov.hms.pipeline.support.AnotherSystem;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.PipelineTestResources;
import gov.hms.pipeline.support.QueueTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.jms.BytesMessage;
import jakarta.jms.Message;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Queue ingest end to end: a plain AMQP 1.0 client (Qpid JMS, its own connection, authenticated as
 * {@value QueueTestResources#SENDER}) sends to the embedded Artemis broker; a WireMock target and
 * two WireMock subscribers stand in for the live systems.
 */
@QuarkusTest
@QuarkusTestResource(value = QueueTestResources.class, restrictToAnnotatedClass = true)
class QueueIngestTest {

    static final String QUEUE = QueueTestResources.QUEUE;
    static final String DLQ = QueueTestResources.DLQ;
    static final Duration WAIT = Duration.ofSeconds(30);
    static final int MAX_DELIVERIES = QueueTestResources.MAX_REDELIVERIES + 1;

    @Inject
    EmbeddedBroker broker;

    @Inject
    CamelContext camel;

    private final ObjectMapper mapper = new ObjectMapper();
    private WireMockServer wireMock;
    private AnotherSystem agency;
    private AnotherSystem operator;

    @BeforeEach
    void connect() throws Exception {
        wireMock = PipelineTestResources.healthySystems();
        agency = new AnotherSystem(PipelineTestResources.brokerAmqpUrl(), QueueTestResources.SENDER,
                QueueTestResources.SENDER_PASSWORD);
        // Reading the DLQ is for the operator (the service's user); senders may only send.
        operator = new AnotherSystem(PipelineTestResources.brokerAmqpUrl(), "pipeline", "pipeline-Secret-3");
        operator.drain(DLQ);
    }

    @AfterEach
    void disconnect() throws Exception {
        agency.close();
        operator.close();
    }

    @Test
    void seedExampleFromAnotherSystemIsDeliveredAndAuditedWithSourceQueue() throws Exception {
        String messageId = agency.sendText(QUEUE, HttpDeploymentTest.SEED, Map.of("approvedBy", "dr.jones"));

        String deploymentId = awaitDeploymentsOf(messageId, 1).get(0);
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), deploymentId))
                .containsExactly("received", "validated", "packaged", "delivered", "notified", "notified", "completed");
        List<JsonNode> records = AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId);
        assertThat(records).allSatisfy(record -> {
            assertThat(record.path("source").asText()).isEqualTo("queue");
            // The broker vouches for the authenticated sender, which wins over approvedBy.
            assertThat(record.path("actor").asText()).isEqualTo(QueueTestResources.SENDER);
        });
        assertThat(records.get(0).path("detail").asText()).contains("queue " + QUEUE).contains(messageId);
        assertThat(records.get(6).path("outcome").asText()).isEqualTo("ok");

        List<LoggedRequest> deliveries = wireMock.findAll(postRequestedFor(urlEqualTo("/target/packages")));
        assertThat(deliveries).hasSize(1);
        JsonNode envelope = mapper.readTree(deliveries.get(0).getBody());
        assertThat(envelope.at("/manifest/policyId").asText()).isEqualTo("policy-2023-vax");
        assertThat(envelope.at("/policy/title").asText()).isEqualTo("COVID-19 Booster Guidelines");
        await().atMost(WAIT).until(() -> broker.messageCount(QUEUE) == 0);
        assertThat(operator.receive(DLQ, Duration.ofMillis(300))).isNull();
    }

    @Test
    void replyToGetsTheResultJsonWithTheCorrelationId() throws Exception {
        TemporaryQueue replies = agency.temporaryQueue();
        agency.sendBytes(QUEUE, HttpDeploymentTest.seedCopy("queue-reply"), Map.of("JMSReplyTo", replies, "JMSCorrelationID", "corr-42"));
        Message answer = agency.receive(replies, WAIT);
        assertThat(answer).isInstanceOf(TextMessage.class);
        assertThat(answer.getJMSCorrelationID()).isEqualTo("corr-42");
        JsonNode result = mapper.readTree(((TextMessage) answer).getText());
        assertThat(result.path("status").asText()).isEqualTo("success");
        assertThat(result.path("policyId").asText()).startsWith("queue-reply-");
        assertThat(result.at("/deliveries/0/status").asText()).isEqualTo("delivered");
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), result.path("deploymentId").asText()))
                .endsWith("completed");

        // Without a correlation id the answer correlates to the request's message id.
        String invalidId = agency.sendText(QUEUE, "{\"id\":\"policy-x\",\"content\":\"text\"}",
                Map.of("JMSReplyTo", replies));
        Message failure = agency.receive(replies, WAIT);
        assertThat(failure.getJMSCorrelationID()).isEqualTo(invalidId);
        JsonNode failed = mapper.readTree(((TextMessage) failure).getText());
        assertThat(failed.path("status").asText()).isEqualTo("failure");
        assertThat(failed.path("error").asText()).isEqualTo("Validation failed");
        assertThat(failed.path("errors").findValuesAsText("path")).contains("/title");
        assertThat(operator.receive(DLQ, WAIT)).isNotNull();
    }

    @Test
    void invalidAndNonJsonMessagesGoToTheDeadLetterQueueWithTheReasonAndNothingIsDelivered() throws Exception {
        String invalid = "{\"id\":\"policy-x\",\"content\":\"text\"}";
        String notJson = "approved: yes, deploy it";
        String invalidId = agency.sendText(QUEUE, invalid, Map.of());
        String notJsonId = agency.sendBytes(QUEUE, notJson, Map.of());

        Map<String, Message> deadLetters = new java.util.HashMap<>();
        for (int i = 0; i < 2; i++) {
            Message dead = operator.receive(DLQ, WAIT);
            assertThat(dead).as("dead letter %d", i + 1).isNotNull();
            deadLetters.put(dead.getStringProperty("originalMessageId"), dead);
        }
        Message deadInvalid = deadLetters.get(invalidId);
        assertThat(deadInvalid).isInstanceOf(TextMessage.class);
        assertThat(((TextMessage) deadInvalid).getText()).isEqualTo(invalid);
        assertThat(deadInvalid.getStringProperty("failureReason")).startsWith("Validation failed").contains("/title");
        assertThat(deadInvalid.getIntProperty("failureStatus")).isEqualTo(422);
        assertThat(deadInvalid.getIntProperty("deliveryAttempts")).isEqualTo(1);
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), deadInvalid.getStringProperty("deploymentId")))
                .containsExactly("received", "rejected", "failed");

        Message deadNotJson = deadLetters.get(notJsonId);
        assertThat(deadNotJson).isInstanceOf(BytesMessage.class);
        assertThat(AnotherSystem.bodyOf(deadNotJson)).isEqualTo(notJson);
        assertThat(deadNotJson.getStringProperty("failureReason")).startsWith("Malformed JSON");
        assertThat(deadNotJson.getIntProperty("failureStatus")).isEqualTo(400);
        assertThat(deadNotJson.getStringProperty("deploymentId")).isEqualTo(awaitDeploymentsOf(notJsonId, 1).get(0));

        // Permanent failures are not redelivered: one deployment each, nothing sent anywhere.
        assertThat(awaitDeploymentsOf(invalidId, 1)).hasSize(1);
        wireMock.verify(0, anyRequestedFor(anyUrl()));
        assertThat(broker.messageCount(QUEUE)).isZero();
    }

    /** Bug hunt: a 100-digit exponent escaped the parser as NumberFormatException (500, redelivered). */
    @Test
    void aNumberWithAHundredDigitExponentIsDeadLetteredAsMalformedJson() throws Exception {
        String huge = "{\"id\":\"num\",\"title\":\"t\",\"content\":\"c\",\"n\":1e" + "9".repeat(100) + "}";
        String messageId = agency.sendText(QUEUE, huge, Map.of());

        Message dead = operator.receive(DLQ, WAIT);
        assertThat(dead).isInstanceOf(TextMessage.class);
        assertThat(dead.getStringProperty("originalMessageId")).isEqualTo(messageId);
        assertThat(((TextMessage) dead).getText()).isEqualTo(huge);
        assertThat(dead.getStringProperty("failureReason")).startsWith("Malformed JSON: number out of range");
        assertThat(dead.getIntProperty("failureStatus")).isEqualTo(400);
        assertThat(dead.getIntProperty("deliveryAttempts")).isEqualTo(1);
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), dead.getStringProperty("deploymentId")))
                .containsExactly("received", "rejected", "failed");
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    /**
     * Issue 17, case 1, over the queue: Artemis CORE carries text as UTF-16, so a lone surrogate arrives
     * intact; it used to become "?" when the text was encoded for the parser, and the policy was deployed.
     * (The dead letter is read over CORE too: the broker cannot hand such a text to an AMQP 1.0 client.)
     */
    @Test
    void aTextMessageWithALoneSurrogateGoesToTheDeadLetterQueueNamingItsPointer() throws Exception {
        String policy = "{\"id\":\"policy-lone\",\"title\":\"a\ud800\",\"content\":\"c\"}";
        try (jakarta.jms.Connection sender = core(QueueTestResources.SENDER, QueueTestResources.SENDER_PASSWORD);
                jakarta.jms.Connection reader = core("pipeline", "pipeline-Secret-3")) {
            jakarta.jms.Session sending = sender.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            sending.createProducer(sending.createQueue(QUEUE)).send(sending.createTextMessage(policy));
            jakarta.jms.Session reading = reader.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
            reader.start();
            Message dead = reading.createConsumer(reading.createQueue(DLQ)).receive(WAIT.toMillis());
            assertThat(dead).isNotNull();
            assertThat(dead.getIntProperty("failureStatus")).isEqualTo(422);
            assertThat(dead.getStringProperty("failureReason")).contains("/title");
            assertThat(((TextMessage) dead).getText()).as("the body intact").isEqualTo(policy);
        }
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    private static jakarta.jms.Connection core(String user, String password) throws jakarta.jms.JMSException {
        return new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(PipelineTestResources.brokerUrl(),
                user, password).createConnection();
    }

    @Test
    void targetDownForTheFirstTwoAttemptsIsRedeliveredThenDeliveredOnce() throws Exception {
        wireMock.stubFor(post(urlEqualTo("/target/packages")).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("still down"));
        wireMock.stubFor(post(urlEqualTo("/target/packages")).inScenario("flaky").whenScenarioStateIs("still down")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        wireMock.stubFor(post(urlEqualTo("/target/packages")).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(201)));

        String messageId = agency.sendText(QUEUE, policy("policy-queue-flaky"), Map.of());

        List<String> deployments = awaitDeploymentsOf(messageId, 3);
        await().atMost(WAIT).until(() -> AuditLogReader.stepsOf(PipelineTestResources.auditFile(), deployments.get(2))
                .contains("completed"));
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), deployments.get(0))).endsWith("delivery-failed", "failed");
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), deployments.get(1))).endsWith("delivery-failed", "failed");
        await().atMost(WAIT).until(() -> broker.messageCount(QUEUE) == 0);

        List<LoggedRequest> attempts = wireMock.findAll(postRequestedFor(urlEqualTo("/target/packages")));
        assertThat(attempts).hasSize(3);
        assertThat(attempts).extracting(r -> r.getHeader("Idempotency-Key")).containsOnly(attempts.get(0).getHeader("Idempotency-Key"));
        // The broker waits before each redelivery, longer each time (200 ms, then 400 ms at least).
        List<LoggedRequest> inOrder = attempts.stream().sorted(Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
        long firstGap = inOrder.get(1).getLoggedDate().getTime() - inOrder.get(0).getLoggedDate().getTime();
        long secondGap = inOrder.get(2).getLoggedDate().getTime() - inOrder.get(1).getLoggedDate().getTime();
        assertThat(firstGap).isGreaterThanOrEqualTo(QueueTestResources.REDELIVERY_DELAY_MS);
        assertThat(secondGap).isGreaterThanOrEqualTo(2 * QueueTestResources.REDELIVERY_DELAY_MS);
        assertThat(operator.receive(DLQ, Duration.ofMillis(300))).isNull();
    }

    @Test
    void targetDownForGoodEndsOnTheDeadLetterQueueAfterTheConfiguredRedeliveries() throws Exception {
        wireMock.stubFor(post(urlEqualTo("/target/packages")).willReturn(aResponse().withStatus(503)));
        String body = policy("policy-queue-down");

        String messageId = agency.sendBytes(QUEUE, body, Map.of());

        Message dead = operator.receive(DLQ, WAIT);
        assertThat(dead).isInstanceOf(BytesMessage.class);
        assertThat(AnotherSystem.bodyOf(dead)).isEqualTo(body);
        assertThat(dead.getStringProperty("originalMessageId")).isEqualTo(messageId);
        assertThat(dead.getStringProperty("failureReason")).startsWith("Deploy failed").contains("live");
        assertThat(dead.getIntProperty("failureStatus")).isEqualTo(502);
        assertThat(dead.getIntProperty("deliveryAttempts")).isEqualTo(MAX_DELIVERIES);
        List<String> deployments = awaitDeploymentsOf(messageId, MAX_DELIVERIES);
        assertThat(deployments).hasSize(MAX_DELIVERIES);
        assertThat(dead.getStringProperty("deploymentId")).isEqualTo(deployments.get(MAX_DELIVERIES - 1));
        wireMock.verify(MAX_DELIVERIES, postRequestedFor(urlEqualTo("/target/packages")));
        assertThat(broker.messageCount(QUEUE)).isZero();
    }

    /**
     * The service's consumer is stopped and the broker itself restarted from its journal: what was
     * sent meanwhile waits on disk and is deployed once the consumer runs again. (The embedded
     * broker lives in the service's JVM, so a full service restart is this same sequence.)
     */
    @Test
    void messagesWaitingWhileTheServiceIsStoppedAreDeliveredAfterItStartsAgain() throws Exception {
        camel.getRouteController().stopRoute("queue-ingest");
        try {
            String first = agency.sendText(QUEUE, policy("policy-queue-waiting-1"), Map.of());
            String second = agency.sendBytes(QUEUE, policy("policy-queue-waiting-2"), Map.of());
            agency.close();
            operator.close();

            broker.stop();
            assertThat(brokerReadiness(503).path("status").asText()).isEqualTo("DOWN");
            broker.start();
            assertThat(broker.messageCount(QUEUE)).isEqualTo(2);
            wireMock.verify(0, anyRequestedFor(anyUrl()));

            camel.getRouteController().startRoute("queue-ingest");
            awaitDeploymentsOf(first, 1);
            awaitDeploymentsOf(second, 1);
            await().atMost(WAIT).until(() -> wireMock.findAll(postRequestedFor(urlEqualTo("/target/packages"))).size() == 2);
            await().atMost(WAIT).until(() -> broker.messageCount(QUEUE) == 0);
            assertThat(brokerReadiness(200).path("status").asText()).isEqualTo("UP");
        } finally {
            broker.start();
            camel.getRouteController().startRoute("queue-ingest");
            agency = new AnotherSystem(PipelineTestResources.brokerAmqpUrl(), QueueTestResources.SENDER,
                    QueueTestResources.SENDER_PASSWORD);
            operator = new AnotherSystem(PipelineTestResources.brokerAmqpUrl(), "pipeline", "pipeline-Secret-3");
        }
    }

    @Test
    void caseVariantCamelPropertiesAndForgedIdentitiesHaveNoEffect() throws Exception {
        Map<String, Object> hostile = Map.of(
                "cAMELhTTPuRI", "http://127.0.0.1:1/evil",
                "CAMELFILENAME", "../../evil.json",
                "CamelHttpMethod", "DELETE",
                "camelhttppath", "/evil",
                "CamelHttpQuery", "leak=evil",
                "CamelJmsDestinationName", DLQ,
                "Authorization", "Bearer secret-token-123",
                "_AMQ_VALIDATED_USER", "mallory",
                "JMSXUserID", "mallory");
        String messageId = agency.sendText(QUEUE, HttpDeploymentTest.seedCopy("queue-hostile"), hostile);

        String deploymentId = awaitDeploymentsOf(messageId, 1).get(0);
        await().atMost(WAIT).until(() -> AuditLogReader.stepsOf(PipelineTestResources.auditFile(), deploymentId)
                .contains("completed"));
        List<LoggedRequest> received = wireMock.findAll(anyRequestedFor(anyUrl()));
        assertThat(received).extracting(LoggedRequest::getUrl)
                .containsExactlyInAnyOrder("/target/packages", "/scheduling/events", "/records/events");
        for (LoggedRequest request : received) {
            assertThat(request.getMethod().getName()).isEqualTo("POST");
            for (HttpHeader header : request.getHeaders().all()) {
                assertThat(header.key().toLowerCase(Locale.ROOT)).doesNotStartWith("camel").isNotEqualTo("authorization");
                assertThat(header.values()).noneMatch(v -> v.contains("evil") || v.contains("secret-token"));
            }
        }
        assertThat(AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId))
                .allSatisfy(record -> assertThat(record.path("actor").asText()).isEqualTo(QueueTestResources.SENDER));
        try (var files = Files.walk(PipelineTestResources.dataDir())) {
            assertThat(files.map(Path::toString)).noneMatch(p -> p.contains("evil"));
        }
        assertThat(operator.receive(DLQ, Duration.ofMillis(300))).isNull();
        assertThat(Files.readString(PipelineTestResources.auditFile())).doesNotContain("secret-token-123");
    }

    @Test
    void readinessReportsTheBrokerConnection() throws Exception {
        JsonNode check = brokerReadiness(200);
        assertThat(check.path("status").asText()).isEqualTo("UP");
        assertThat(check.at("/data/embedded").asBoolean()).isTrue();
        assertThat(check.at("/data/queue").asText()).isEqualTo(QUEUE);
        assertThat(check.at("/data/url").asText()).isEqualTo(PipelineTestResources.brokerUrl());
        assertThat(check.at("/data/deadLetters").isNumber()).isTrue();
    }

    /** The {@code broker} check of {@code GET /q/health/ready}, which must answer {@code status}. */
    static JsonNode brokerReadiness(int status) throws Exception {
        if (status == 200) {
            gov.hms.pipeline.support.Readiness.awaitReady();
        }
        String body = given().when().get("/q/health/ready").then().statusCode(status).extract().asString();
        for (JsonNode check : new ObjectMapper().readTree(body).path("checks")) {
            if ("broker".equals(check.path("name").asText())) {
                return check;
            }
        }
        throw new AssertionError("no broker check in " + body);
    }

    /** The deployment ids of a message's deliveries, in order, once at least {@code count} have been received. */
    private static List<String> awaitDeploymentsOf(String messageId, int count) {
        List<String> ids = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            ids.clear();
            for (JsonNode record : AuditLogReader.records(PipelineTestResources.auditFile())) {
                if ("received".equals(record.path("step").asText()) && "queue".equals(record.path("source").asText())
                        && record.path("detail").asText().contains(messageId)) {
                    ids.add(record.path("deploymentId").asText());
                }
            }
            return ids.size() >= count && ids.stream().allMatch(id -> AuditLogReader.stepsOf(
                    PipelineTestResources.auditFile(), id).stream().anyMatch(s -> s.equals("completed") || s.equals("failed")));
        });
        return List.copyOf(ids);
    }

    private static String policy(String id) {
        return "{\"id\":\"" + id + "\",\"title\":\"Queue test policy\",\"content\":\"Delivered from a queue.\"}";
    }
}
