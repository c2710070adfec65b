package gov.hms.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What an operator watches: metrics, readiness, the API description. */
@QuarkusTest
@QuarkusTestResource(value = PipelineTestResources.class, restrictToAnnotatedClass = true)
class OperationsTest {

    @BeforeEach
    void scriptSystems() {
        PipelineTestResources.healthySystems();
    }

    private static double metric(String name, String labels) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        double total = 0;
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} ([0-9.Ee+-]+)$").matcher(text);
        while (matcher.find()) {
            boolean all = true;
            for (String label : labels.split(",")) {
                all &= matcher.group(1).contains(label);
            }
            if (all) {
                total += Double.parseDouble(matcher.group(2));
            }
        }
        return total;
    }

    private static void deploy(String policy, int expectedStatus) {
        given().contentType("application/json").body(policy).when().post("/api/policies").then().statusCode(expectedStatus);
    }

    @Test
    void metricsCountASuccessAValidationFailureAndADeliveryFailure() {
        String http = "source=\"http\"";
        double successes = metric("pipeline_deployments_total", http + ",outcome=\"success\"");
        double failures = metric("pipeline_deployments_total", http + ",outcome=\"failure\"");
        double targetFailures = metric("pipeline_delivery_failures_total", "target=\"live\"");

        deploy("{\"id\":\"m1\",\"title\":\"t\",\"content\":\"c\"}", 200);
        deploy("{\"id\":\"m2\",\"content\":\"c\"}", 422);
        PipelineTestResources.wireMock().stubFor(post(urlEqualTo("/target/packages"))
                .willReturn(aResponse().withStatus(500)));
        deploy("{\"id\":\"m3\",\"title\":\"t\",\"content\":\"c\"}", 502);

        assertThat(metric("pipeline_deployments_total", http + ",outcome=\"success\"")).isEqualTo(successes + 1);
        assertThat(metric("pipeline_deployments_total", http + ",outcome=\"failure\"")).isEqualTo(failures + 2);
        assertThat(metric("pipeline_delivery_failures_total", "target=\"live\"")).isEqualTo(targetFailures + 1);
        assertThat(metric("pipeline_deployment_duration_seconds_count", http)).isGreaterThanOrEqualTo(3);
    }

    @Test
    void readinessGoesDownWhileTheAuditFolderCannotBeWrittenAndComesBack() throws Exception {
        Path folder = PipelineTestResources.auditFile().getParent();
        Path aside = folder.resolveSibling("audit-aside");
        gov.hms.pipeline.support.Readiness.awaitReady();
        // A file where the folder should be: unwritable even for root, unlike a chmod.
        Files.move(folder, aside);
        Files.writeString(folder, "not a folder");
        try {
            given().when().get("/q/health/ready").then().statusCode(503).body(containsString("audit-log"));
        } finally {
            Files.delete(folder);
            Files.move(aside, folder);
        }
        gov.hms.pipeline.support.Readiness.awaitReady();
    }

    @Test
    void backlogGaugesAreExported() {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(text).contains("pipeline_inbox_backlog ")
                .contains("pipeline_queue_depth{queue=\"policies.approved\"}")
                .contains("pipeline_queue_depth{queue=\"policies.approved.DLQ\"}")
                .contains("pipeline_dead_letters ");
    }

    @Test
    void auditWriterCountersAreExportedAndForcesNeverOutnumberRecords() {
        deploy("{\"id\":\"m4\",\"title\":\"t\",\"content\":\"c\"}", 200);
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        double records = unlabelled(text, "pipeline_audit_records_total");
        double forces = unlabelled(text, "pipeline_audit_forces_total");
        assertThat(records).isGreaterThanOrEqualTo(2);
        assertThat(forces).isGreaterThan(0).isLessThanOrEqualTo(records);
    }

    @Test
    void ledgerGroupCommitCountersAreExportedAndFileWritesNeverOutnumberCommits() {
        deploy("{\"id\":\"m5\",\"title\":\"t\",\"content\":\"c\"}", 200);
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        double commits = unlabelled(text, "pipeline_ledger_commits_total");
        double writes = unlabelled(text, "pipeline_ledger_file_writes_total");
        assertThat(commits).isGreaterThanOrEqualTo(2); // at least the admission and the end
        assertThat(writes).isGreaterThan(0).isLessThanOrEqualTo(commits);
    }

    private static double unlabelled(String prometheusText, String name) {
        return prometheusText.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{}"))
                .findFirst().map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .orElseThrow(() -> new AssertionError(name + " not exported: " + prometheusText.lines()
                        .filter(line -> line.contains("audit")).toList()));
    }

    @Test
    void openApiDescribesTheCamelAndRestEndpoints() {
        given().when().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/policies"))
                .body(containsString("/api/policies/validate"))
                .body(containsString("/registry/packages"))
                .body(containsString("/api/keys"));
    }

    /** Issue 17, case 8: failure counters exist from the start, at 0, for every enabled target and subscriber. */
    @Test
    void failureCountersArePresentBeforeAnyFailure() {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(text).containsPattern("(?m)^pipeline_delivery_failures_total\\{target=\"live\"\\} ")
                .containsPattern("(?m)^pipeline_notification_failures_total\\{subscriber=\"scheduling\"\\} 0\\.0$")
                .containsPattern("(?m)^pipeline_notification_failures_total\\{subscriber=\"records\"\\} 0\\.0$");
        // (Whether disabled targets are absent cannot be told here: the test JVM's global meter registry
        // keeps the counters of Quarkus applications started before this one, e.g. with "registry" enabled.)
    }

    /** Issue 17, case 8: a scraper asking for OpenMetrics gets it, whatever parameters its Accept header has. */
    @ParameterizedTest
    @ValueSource(strings = {"application/openmetrics-text", "application/openmetrics-text; version=1.0.0",
            "application/openmetrics-text;version=1.0.0;charset=utf-8",
            // Prometheus 2.x's own scrape header
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"})
    void openMetricsIsAnsweredToEveryWayOfAskingForIt(String accept) {
        String text = given().accept(accept).when().get("/q/metrics")
                .then().statusCode(200)
                .header("Content-Type", startsWith("application/openmetrics-text"))
                .extract().asString();
        assertThat(text).endsWith("# EOF\n").contains("# TYPE pipeline_delivery_failures counter");
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5"})
    void prometheusTextWhenItIsPreferred(String accept) {
        given().accept(accept).when().get("/q/metrics")
                .then().statusCode(200).header("Content-Type", startsWith("text/plain"));
    }

    /** The conformance check itself: answers that differ from the served document are reported as drift. */
    @Test
    void theServedOpenApiDocumentFlagsADrift() {
        var validator = gov.hms.pipeline.support.OpenApiConformance.validatorFor(
                java.net.URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port));
        assertThat(validator).isNotNull();
        var post = com.atlassian.oai.validator.model.Request.Method.POST;
        String pending = "{\"status\":\"success\",\"notifications\":[{\"subscriber\":\"s\",\"status\":\"pending\"}]}";
        String bogus = pending.replace("pending", "bogus");
        assertThat(gov.hms.pipeline.support.OpenApiConformance.drift(validator.validateResponse("/api/policies", post, json(200, pending))))
                .isEmpty();
        assertThat(gov.hms.pipeline.support.OpenApiConformance.drift(validator.validateResponse("/api/policies", post, json(200, bogus))))
                .isNotEmpty();
        assertThat(gov.hms.pipeline.support.OpenApiConformance.drift(validator.validateResponse("/api/policies", post, json(418, pending))))
                .extracting(com.atlassian.oai.validator.report.ValidationReport.Message::getKey)
                .contains("validation.response.status.unknown");
        assertThat(gov.hms.pipeline.support.OpenApiConformance.drift(validator.validateResponse("/api/keys",
                com.atlassian.oai.validator.model.Request.Method.GET, json(401, "{\"status\":\"failure\"}")))).isNotEmpty();
    }

    private static com.atlassian.oai.validator.model.Response json(int status, String body) {
        return com.atlassian.oai.validator.model.SimpleResponse.Builder.status(status)
                .withContentType("application/json").withBody(body).build();
    }
}
