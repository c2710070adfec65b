package gov.hms.pipeline.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import gov.hms.pipeline.ingest.QueueIngress;
import gov.hms.pipeline.support.AnotherSystem;
import gov.hms.pipeline.support.PackagedService;
import gov.hms.pipeline.support.PipelineTestResources;
import jakarta.jms.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, case 2: a queue message whose processing kills the service every time (here: kill -9
 * while its delivery is in flight). The delivery count must survive each crash, so after
 * {@code max-redeliveries} redeliveries the message is dead-lettered instead of looping for ever.
 */
class PoisonMessageIT {

    private static final int MAX_REDELIVERIES = 2;

    private WireMockServer wireMock;
    private Path home;
    private PackagedService service;
    private int brokerPort;

    @BeforeEach
    void start() throws IOException {
        wireMock = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        wireMock.start();
        wireMock.stubFor(post(urlEqualTo("/hang")).willReturn(aResponse().withStatus(201).withFixedDelay(120_000)));
        home = Files.createTempDirectory("pipeline-poison-");
        service = new PackagedService(home);
        brokerPort = PipelineTestResources.freePort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        service.close();
        wireMock.stop();
    }

    @Test
    void aMessageThatKillsTheServiceOnEveryDeliveryIsDeadLetteredAfterMaxRedeliveries() throws Exception {
        launch(1);
        try (AnotherSystem sender = new AnotherSystem("amqp://127.0.0.1:" + brokerPort, null, null)) {
            sender.sendText("policies.approved", "{\"id\":\"poison\",\"title\":\"Kills\",\"content\":\"Each time.\"}", Map.of());
        }
        int deliveries = 0;
        for (int life = 1; life <= MAX_REDELIVERIES + 1; life++) {
            int expected = life;
            await().atMost(Duration.ofSeconds(90)).until(() ->
                    wireMock.findAll(postRequestedFor(urlEqualTo("/hang"))).size() == expected);
            deliveries = expected;
            service.kill();
            launch(life + 1);
        }
        try (AnotherSystem operator = new AnotherSystem("amqp://127.0.0.1:" + brokerPort, null, null)) {
            Message dead = operator.receive("policies.approved.DLQ", Duration.ofSeconds(60));
            assertThat(dead).as("dead-lettered after %d deliveries", deliveries).isNotNull();
            assertThat(AnotherSystem.bodyOf(dead)).contains("poison");
            assertThat(dead.getStringProperty(QueueIngress.FAILURE_REASON)).contains("delivered 4 times")
                    .contains("the service stopped while processing it");
        }
        assertThat(wireMock.findAll(postRequestedFor(urlEqualTo("/hang")))).hasSize(MAX_REDELIVERIES + 1);
    }

    private void launch(int life) throws IOException {
        service.start(home.resolve("life-" + life + ".log"), "-Dpipeline.inbox.enabled=false",
                "-Dpipeline.broker.url=tcp://127.0.0.1:" + brokerPort,
                "-Dpipeline.queue.max-redeliveries=" + MAX_REDELIVERIES,
                "-Dpipeline.targets.hang.url=http://127.0.0.1:" + wireMock.port() + "/hang",
                "-Dpipeline.targets.hang.response-timeout=150s");
        service.awaitReady();
    }
}
