package gov.hms.pipeline;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.support.AuditTestResources;
import gov.hms.pipeline.support.IndependentAuditCheck;
import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit trail over real HTTP with WireMock targets: concurrency, rotation, checkpoints,
 * verification, query and secrets. The log rotates at 64 KiB and signs a checkpoint every 50 records.
 */
@QuarkusTest
@QuarkusTestResource(value = AuditTestResources.class, restrictToAnnotatedClass = true)
class AuditTrailTest {

    private static final int DEPLOYMENTS = 500;
    private static final List<String> STEPS = List.of("received", "validated", "packaged", "delivered", "notified",
            "notified", "completed");

    private final ObjectMapper mapper = new ObjectMapper();

    @TestHTTPResource("/api/policies")
    URI policies;

    @BeforeEach
    void scriptSystems() {
        PipelineTestResources.healthySystems();
    }

    private static Path auditFile() {
        return PipelineTestResources.auditFile();
    }

    private static String policy(String id, int n) {
        return "{\"id\":\"" + id + "\",\"title\":\"Policy " + n + "\",\"content\":\"Rule number " + n + ".\","
                + "\"approval\":{\"approvedBy\":\"dr.okafor\",\"approvedAt\":\"2026-11-01T09:00:00Z\"}}";
    }

    @Test
    void fiveHundredConcurrentDeploymentsLeaveOneWholeVerifiableChain() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        ExecutorService callers = Executors.newFixedThreadPool(32);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < DEPLOYMENTS; i++) {
            int n = i;
            HttpRequest request = HttpRequest.newBuilder(policies)
                    .timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer authz-secret-" + n)
                    .header("Cookie", "session=cookie-secret-" + n)
                    .header("webhook-signature", "v1,c2lnbmF0dXJlLXNlY3JldC1mb3ItdGVzdHM" + n)
                    .POST(HttpRequest.BodyPublishers.ofString(policy("audit-load-" + (n % 50), n)))
                    .build();
            answers.add(callers.submit(() -> client.send(request, HttpResponse.BodyHandlers.ofString())));
        }
        Set<String> deploymentIds = new HashSet<>();
        for (Future<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(10, TimeUnit.MINUTES);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            deploymentIds.add(mapper.readTree(response.body()).path("deploymentId").asText());
        }
        callers.shutdown();
        assertThat(deploymentIds).hasSize(DEPLOYMENTS);

        // Every line of every file parses, and the chain holds when recomputed independently.
        List<Path> files = IndependentAuditCheck.files(auditFile());
        assertThat(files.size()).as("rotated at 64 KiB").isGreaterThan(1);
        List<JsonNode> records = IndependentAuditCheck.records(auditFile());
        String head = IndependentAuditCheck.assertChain(records);
        Path dir = auditFile().getParent();
        assertThat(IndependentAuditCheck.assertCheckpoints(dir.resolve("audit.checkpoints.jsonl"),
                dir.resolve("checkpoint-key.pub.pem"), records)).isGreaterThanOrEqualTo(DEPLOYMENTS * 7 / 50);

        // Exactly one completed record per deployment, each deployment's steps in order.
        Map<String, List<JsonNode>> byDeployment = records.stream()
                .filter(r -> deploymentIds.contains(r.path("deploymentId").asText()))
                .collect(Collectors.groupingBy(r -> r.path("deploymentId").asText()));
        assertThat(byDeployment).hasSize(DEPLOYMENTS);
        byDeployment.forEach((id, history) -> {
            assertThat(history).extracting(r -> r.path("step").asText()).as(id).containsExactlyElementsOf(STEPS);
            JsonNode completed = history.get(6);
            assertThat(completed.path("outcome").asText()).isEqualTo("ok");
            assertThat(completed.path("source").asText()).isEqualTo("http");
            assertThat(completed.path("origin").asText()).startsWith("http client 127.0.0.1");
            assertThat(completed.path("approvedBy").asText()).isEqualTo("dr.okafor");
            assertThat(completed.path("instance").asText()).isNotBlank();
            assertThat(completed.path("routeId").asText()).isEqualTo("http-ingest");
        });

        // The service's own verification agrees.
        given().when().get("/api/audit/verify")
                .then().statusCode(200)
                .body("ok", equalTo(true))
                .body("records", equalTo(records.size()))
                .body("files", equalTo(files.size()))
                .body("headHash", equalTo(head))
                // One instance, one chain: the same walk, named by its instance.
                .body("chains.size()", equalTo(1))
                .body("chains[0].instance", equalTo(records.get(0).path("instance").asText()))
                .body("chains[0].ok", equalTo(true))
                .body("chains[0].records", equalTo(records.size()))
                .body("chains[0].headHash", equalTo(head));

        // No Authorization, Cookie or signature value anywhere in the audit folder.
        try (Stream<Path> listing = Files.list(dir)) {
            for (Path file : listing.filter(p -> !p.getFileName().toString().endsWith(".pem")).toList()) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                assertThat(text).as(file.toString()).doesNotContain("authz-secret").doesNotContain("cookie-secret")
                        .doesNotContain("c2lnbmF0dXJlLXNlY3JldC1mb3ItdGVzdHM")
                        .doesNotContain(PipelineTestResources.RECORDS_SECRET.substring("whsec_".length()));
            }
        }
    }

    @Test
    void queryByPolicyIdAndByDeploymentIdAnswersExactlyThatHistoryInOrderPaged() {
        List<String> ofA = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ofA.add(deploy(policy("audit-query-a", i)));
            deploy(policy("audit-query-b", i));
        }
        // A rejected attempt carries no validated policy id: it is not part of the policy's history.
        given().contentType("application/json").body("{\"id\":\"audit-query-a\",\"content\":\"no title\"}")
                .when().post("/api/policies").then().statusCode(422);

        List<JsonNode> all = IndependentAuditCheck.records(auditFile());
        List<String> expectedA = hashes(all.stream().filter(r -> ofA.contains(r.path("deploymentId").asText())).toList());
        assertThat(expectedA).hasSize(3 * STEPS.size());

        List<String> pagedA = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = given().queryParam("policyId", "audit-query-a").queryParam("limit", 4);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.when().get("/api/audit").then().statusCode(200).extract().response();
            List<String> hashes = page.path("records.hash");
            assertThat(hashes.size()).isBetween(1, 4);
            assertThat((Integer) page.path("count")).isEqualTo(hashes.size());
            pagedA.addAll(hashes);
            cursor = page.path("nextCursor");
            pages++;
        } while (cursor != null);
        assertThat(pagedA).containsExactlyElementsOf(expectedA);
        assertThat(pages).isEqualTo(6); // 21 records, 4 a page

        String one = ofA.get(1);
        List<String> expectedOne = hashes(all.stream().filter(r -> one.equals(r.path("deploymentId").asText())).toList());
        Response history = given().queryParam("deploymentId", one).when().get("/api/audit")
                .then().statusCode(200).extract().response();
        assertThat((List<String>) history.path("records.hash")).containsExactlyElementsOf(expectedOne);
        assertThat((List<String>) history.path("records.step")).containsExactlyElementsOf(STEPS);
        assertThat((Object) history.path("nextCursor")).isNull();

        given().queryParam("policyId", "audit-query-a").queryParam("step", "completed")
                .when().get("/api/audit").then().statusCode(200).body("count", equalTo(3));
        given().queryParam("policyId", "audit-query-a").queryParam("step", "completed")
                .queryParam("instance", all.get(0).path("instance").asText())
                .when().get("/api/audit").then().statusCode(200).body("count", equalTo(3));
        given().queryParam("policyId", "audit-query-a").queryParam("instance", "no-such-instance")
                .when().get("/api/audit").then().statusCode(200).body("count", equalTo(0));
        String firstTime = all.stream().filter(r -> ofA.get(2).equals(r.path("deploymentId").asText())).findFirst()
                .orElseThrow().path("time").asText();
        List<String> fromThird = given().queryParam("policyId", "audit-query-a").queryParam("from", firstTime)
                .when().get("/api/audit").then().statusCode(200).extract().path("records.deploymentId");
        assertThat(fromThird).contains(ofA.get(2)).doesNotContain(ofA.get(0));
        given().queryParam("policyId", "audit-query-a").queryParam("to", "2000-01-01T00:00:00Z")
                .when().get("/api/audit").then().statusCode(200).body("count", equalTo(0));
    }

    @Test
    void badQueryParametersAreJson400() {
        for (Map<String, String> params : List.of(Map.of("limit", "0"), Map.of("limit", "1001"), Map.of("limit", "x"),
                Map.of("from", "yesterday"), Map.of("cursor", "bm90LWEtY3Vyc29y"), Map.of("cursor", "%%%"))) {
            given().queryParams(params).when().get("/api/audit")
                    .then().statusCode(400).contentType("application/json").body("status", equalTo("failure"));
        }
    }

    private static String deploy(String policy) {
        return given().contentType("application/json").body(policy)
                .when().post("/api/policies").then().statusCode(200).extract().path("deploymentId");
    }

    private static List<String> hashes(List<JsonNode> records) {
        return records.stream().map(r -> r.path("hash").asText()).toList();
    }
}
