package gov.hms.pipeline.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import gov.hms.pipeline.support.InboxFolder;
import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, case 4: one owner for retries. The inbox retries a file by itself
 * ({@code pipeline.inbox.retry.*}: 4 attempts here), so a failed attempt it will retry creates no
 * dead letter; only the attempt after which it gives up does, and the entry names its source.
 */
@QuarkusTest
@QuarkusTestResource(value = PipelineTestResources.class, restrictToAnnotatedClass = true)
class RetryOwnershipTest {

    private static final String TARGET = "/target/packages";

    private final InboxFolder inbox = new InboxFolder(PipelineTestResources.inboxDir());
    private WireMockServer wireMock;
    private String run;

    @BeforeEach
    void scriptSystems() {
        wireMock = PipelineTestResources.healthySystems();
        wireMock.stubFor(post(urlEqualTo(TARGET)).willReturn(aResponse().withStatus(503)));
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aFileDeliveredAfterAnOutageLeavesNoDeadLetter() {
        String id = "outage-" + run;
        inbox.drop(id + ".json", InboxFolder.policy(id, "Outage"));
        // The first attempt fails (every delivery attempt of it answered 503); then the target recovers.
        await().atMost(Duration.ofSeconds(30)).until(() -> attemptsFailed() >= 3 && inbox.inInbox(id + ".json"));
        wireMock.stubFor(post(urlEqualTo(TARGET)).willReturn(aResponse().withStatus(201)));

        await().atMost(Duration.ofSeconds(60)).until(() -> inbox.done(id + ".json").size() == 1);
        assertThat(deadLettersOf(id)).as("no dead letter for an attempt the inbox retried").isEmpty();
    }

    @Test
    void aFileWhoseAttemptsRunOutLeavesOneDeadLetterNamingItsSource() {
        String id = "given-up-" + run;
        inbox.drop(id + ".json", InboxFolder.policy(id, "Given up"));

        await().atMost(Duration.ofSeconds(90)).until(() -> inbox.failed(id + ".json").size() == 1);
        List<Map<String, Object>> entries = deadLettersOf(id);
        assertThat(entries).as("one dead letter, after the last of 4 attempts").hasSize(1);
        assertThat(entries.get(0)).containsEntry("source", "file");
    }

    private int attemptsFailed() {
        return wireMock.findAll(postRequestedFor(urlEqualTo(TARGET))).size();
    }

    private static List<Map<String, Object>> deadLettersOf(String policyId) {
        List<Map<String, Object>> all = given().when().get("/api/dead-letters").then().statusCode(200).extract().path("$");
        return all.stream().filter(e -> policyId.equals(e.get("policyId"))).toList();
    }
}
