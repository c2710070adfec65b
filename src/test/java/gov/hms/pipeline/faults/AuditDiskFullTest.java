package gov.hms.pipeline.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.support.DiskFullTestResources;
import gov.hms.pipeline.support.IndependentAuditCheck;
import gov.hms.pipeline.support.PipelineTestResources;
import gov.hms.pipeline.support.Readiness;
import gov.hms.pipeline.support.SmallAuditVolume;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, case 1: the file system under the audit log fills up. Write-ahead: nothing is
 * delivered without its announcing record on disk; every answer is the contract's JSON; readiness
 * goes DOWN with the cause within 5 s and UP again once space returns, with one record saying what
 * happened; fewer than 10 set-aside files.
 */
@QuarkusTest
@QuarkusTestResource(value = DiskFullTestResources.class, restrictToAnnotatedClass = true)
class AuditDiskFullTest {

    private static String policy(String id) {
        return "{\"id\":\"" + id + "\",\"title\":\"Disk full\",\"content\":\"Rule " + id + ".\"}";
    }

    private static Response post(String path, String body) {
        return given().contentType("application/json").body(body).when().post(path).then().extract().response();
    }

    @Test
    void aFullAuditDiskStopsDeliveryAnswersJsonGoesDownAndRecovers() throws Exception {
        SmallAuditVolume volume = DiskFullTestResources.volume();
        Assumptions.assumeTrue(volume.mounted(), SmallAuditVolume.SKIP_MESSAGE);
        var wireMock = PipelineTestResources.healthySystems();
        Readiness.awaitReady();
        assertThat(post("/api/policies", policy("disk-before")).statusCode()).isEqualTo(200);
        wireMock.resetRequests();

        Path filler = volume.dir().resolve("filler.bin");
        volume.fill(filler);

        for (int i = 0; i < 18; i++) {
            Response answer = post("/api/policies", policy("disk-full-" + i));
            assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(503);
            assertThat(answer.contentType()).startsWith("application/json");
            assertThat(answer.jsonPath().getString("status")).isEqualTo("failure");
            assertThat(answer.jsonPath().getString("error")).contains("audit log").contains("free");
            assertThat(answer.header("Retry-After")).isNotBlank();
        }
        Response invalid = post("/api/policies", "{\"id\":\"disk-invalid\",\"content\":\"no title\"}");
        assertThat(invalid.contentType()).as(invalid.asString()).startsWith("application/json");
        assertThat(invalid.statusCode()).as(invalid.asString()).isEqualTo(422);
        assertThat(invalid.jsonPath().getString("error")).contains("audit log");
        Response dryRun = post("/api/policies/validate", policy("disk-dry"));
        assertThat(dryRun.contentType()).as(dryRun.asString()).startsWith("application/json");
        assertThat(dryRun.statusCode()).isEqualTo(503);

        // Operator changes too: refused, nothing changed (bug hunt: they were applied unaudited, and 500).
        Response added = given().contentType("application/json")
                .body("{\"name\":\"disk-full-target\",\"url\":\"http://127.0.0.1:9/x\"}").when().post("/api/targets");
        assertThat(added.statusCode()).as(added.asString()).isEqualTo(503);
        assertThat(added.jsonPath().getString("error")).contains("audit log");
        assertThat(added.header("Retry-After")).isNotBlank();
        given().when().get("/api/targets/disk-full-target").then().statusCode(404);

        wireMock.verify(0, postRequestedFor(urlEqualTo("/target/packages")));
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given().when().get("/q/health/ready")
                .then().statusCode(503).body("checks.find { it.name == 'audit-log' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'audit-log' }.data.problem", org.hamcrest.Matchers.containsString("free")));
        assertThat(setAside(volume.dir())).as("set-aside files").hasSizeLessThan(10);
        given().when().get("/q/metrics").then().body(org.hamcrest.Matchers.containsString("pipeline_audit_writable 0.0"));

        Files.delete(filler);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().when().get("/q/health/ready")
                .then().body("checks.find { it.name == 'audit-log' }.status", equalTo("UP")));
        assertThat(post("/api/policies", policy("disk-after")).statusCode()).isEqualTo(200);

        List<JsonNode> records = IndependentAuditCheck.records(volume.dir().resolve("audit.jsonl"));
        IndependentAuditCheck.assertChain(records);
        assertThat(records).filteredOn(r -> r.path("step").asText().equals("log-recovered")).hasSize(1)
                .allSatisfy(r -> assertThat(r.path("detail").asText()).contains("could not be written"));
        assertThat(records).filteredOn(r -> r.path("policyId").asText().startsWith("disk-full-"))
                .as("no record of a deployment that could not be recorded").isEmpty();
        given().when().get("/api/audit/verify").then().statusCode(200).body("ok", equalTo(true));
    }

    private static List<Path> setAside(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().contains(".torn-")).toList();
        }
    }
}
