package gov.hms.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import gov.hms.pipeline.broker.EmbeddedBroker;
import gov.hms.pipeline.support.AnotherSystem;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.ExternalBrokerTestResources;
import gov.hms.pipeline.support.PipelineTestResources;
import gov.hms.pipeline.support.QueueTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.jms.Message;
import jakarta.jms.TemporaryQueue;
import jakarta.jms.TextMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code pipeline.broker.embedded=false}: the service consumes from a broker it does not run, over
 * AMQP 1.0 with Qpid JMS, with two concurrent consumers. Dead-lettering with a reason and replies
 * are the service's own doing, so they work on any broker.
 */
@QuarkusTest
@QuarkusTestResource(value = ExternalBrokerTestResources.class, restrictToAnnotatedClass = true)
class ExternalBrokerTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    EmbeddedBroker embedded;

    private final ObjectMapper mapper = new ObjectMapper();
    private WireMockServer wireMock;
    private AnotherSystem agency;

    @BeforeEach
    void connect() throws Exception {
        wireMock = PipelineTestResources.healthySystems();
        agency = new AnotherSystem(PipelineTestResources.brokerAmqpUrl(), null, null);
        agency.drain(QueueTestResources.DLQ);
    }

    @AfterEach
    void disconnect() throws Exception {
        agency.close();
    }

    @Test
    void seedIsDeliveredFromAnExternalBrokerWithApprovedByAsTheActor() throws Exception {
        TemporaryQueue replies = agency.temporaryQueue();
        agency.sendText(QueueTestResources.QUEUE, HttpDeploymentTest.SEED,
                Map.of("approvedBy", "dr.jones", "JMSReplyTo", replies, "JMSCorrelationID", "ext-1"));

        Message answer = agency.receive(replies, WAIT);
        assertThat(answer).isNotNull();
        assertThat(answer.getJMSCorrelationID()).isEqualTo("ext-1");
        JsonNode result = mapper.readTree(((TextMessage) answer).getText());
        assertThat(result.path("status").asText()).isEqualTo("success");
        List<JsonNode> records = AuditLogReader.recordsOf(PipelineTestResources.auditFile(),
                result.path("deploymentId").asText());
        // This broker vouches for no user (no JMSXUserID), so the sender's approvedBy is the actor.
        assertThat(records).isNotEmpty().allSatisfy(record -> {
            assertThat(record.path("source").asText()).isEqualTo("queue");
            assertThat(record.path("actor").asText()).isEqualTo("dr.jones");
        });
        wireMock.verify(1, postRequestedFor(urlEqualTo("/target/packages")));
        assertThat(embedded.isRunning()).isFalse();
        JsonNode check = QueueIngestTest.brokerReadiness(200);
        assertThat(check.path("status").asText()).isEqualTo("UP");
        assertThat(check.at("/data/embedded").asBoolean()).isFalse();
        assertThat(check.at("/data/url").asText()).isEqualTo(PipelineTestResources.brokerAmqpUrl());
    }

    @Test
    void invalidMessagesAndExhaustedRedeliveriesAreDeadLetteredByTheService() throws Exception {
        wireMock.stubFor(post(urlEqualTo("/target/packages")).willReturn(aResponse().withStatus(503)));
        String invalid = "{\"id\":\"policy-x\",\"content\":\"text\"}";
        String valid = "{\"id\":\"policy-external-down\",\"title\":\"t\",\"content\":\"c\"}";
        String invalidId = agency.sendText(QueueTestResources.QUEUE, invalid, Map.of());
        String validId = agency.sendBytes(QueueTestResources.QUEUE, valid, Map.of());

        Map<String, Message> dead = new java.util.HashMap<>();
        for (int i = 0; i < 2; i++) {
            Message message = agency.receive(QueueTestResources.DLQ, WAIT);
            assertThat(message).as("dead letter %d", i + 1).isNotNull();
            dead.put(message.getStringProperty("originalMessageId"), message);
        }
        assertThat(AnotherSystem.bodyOf(dead.get(invalidId))).isEqualTo(invalid);
        assertThat(dead.get(invalidId).getIntProperty("failureStatus")).isEqualTo(422);
        assertThat(AnotherSystem.bodyOf(dead.get(validId))).isEqualTo(valid);
        assertThat(dead.get(validId).getIntProperty("failureStatus")).isEqualTo(502);
        assertThat(dead.get(validId).getIntProperty("deliveryAttempts"))
                .isEqualTo(ExternalBrokerTestResources.MAX_REDELIVERIES + 1);
        await().atMost(WAIT).untilAsserted(() -> wireMock.verify(ExternalBrokerTestResources.MAX_REDELIVERIES + 1,
                postRequestedFor(urlEqualTo("/target/packages"))));
        wireMock.verify(0, anyRequestedFor(urlEqualTo("/scheduling/events")));
    }
}
