package gov.hms.pipeline;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import example.DeployOverHttp;
import example.SendPolicy;
import gov.hms.pipeline.service.StartupSummary;
import gov.hms.pipeline.support.PipelineTestResources;
import gov.hms.pipeline.support.SecuredTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a newcomer meets first (issue 18), with security on as in production: one version everywhere,
 * no doubles in the API document or the health answer, a way in at {@code /}, the start-up line, and the
 * two Java samples of {@code samples/java} (compiled by the build) against this service: the queue sender
 * through the real embedded broker, the HTTP client through the real HTTP API. The packaged jar itself,
 * its start-up log and the README's quick start are {@code FirstContactIT}'s.
 */
@QuarkusTest
@QuarkusTestResource(value = SecuredTestResources.class, restrictToAnnotatedClass = true)
class FirstContactTest {

    /** The pom's version, handed over by surefire. */
    private static final String VERSION = System.getProperty("project.version.under.test");

    private final ObjectMapper mapper = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    @Inject
    StartupSummary startupSummary;

    @BeforeEach
    void healthySystems() {
        PipelineTestResources.healthySystems();
    }

    @Test
    void theVersionIsThePomsInTheApplicationTheApiDocumentTheIndexAndTheChangelog() throws Exception {
        assertThat(VERSION).as("surefire's project.version.under.test").isNotBlank();
        assertThat(ConfigProvider.getConfig().getValue("quarkus.application.version", String.class)).isEqualTo(VERSION);
        JsonNode openapi = openApi();
        assertThat(openapi.at("/info/version").asText()).isEqualTo(VERSION);
        assertThat(given().accept("application/json").when().get("/").then().statusCode(200)
                .extract().jsonPath().getString("version")).isEqualTo(VERSION);
        assertThat(startupSummary.line()).contains(" " + VERSION + ",");

        // The changelog's top entry is this version (a -SNAPSHOT is the entry being written, not yet released).
        Matcher top = Pattern.compile("(?m)^### (\\d+\\.\\d+\\.\\d+)").matcher(Files.readString(Path.of("README.md")));
        assertThat(top.find()).as("a '### x.y.z' changelog entry in README.md").isTrue();
        assertThat(VERSION.replace("-SNAPSHOT", "")).isEqualTo(top.group(1));
    }

    @Test
    void theApiDocumentHasOneSecuritySchemeThatEveryOperationNeeds() throws Exception {
        JsonNode openapi = openApi();
        List<String> schemes = new ArrayList<>();
        openapi.at("/components/securitySchemes").fieldNames().forEachRemaining(schemes::add);
        assertThat(schemes).containsExactly("basic");
        assertThat(openapi.at("/components/securitySchemes/basic/scheme").asText()).isEqualTo("basic");
        assertThat(openapi.path("security").toString()).isEqualTo("[{\"basic\":[]}]");
        // No operation opts out of it, and no other document (such as / itself) slipped in.
        openapi.path("paths").fields().forEachRemaining(path -> {
            assertThat(path.getKey()).matches("/(api|registry)/.*");
            path.getValue().forEach(operation -> assertThat(operation.has("security")).as(path.getKey()).isFalse());
        });
    }

    @Test
    void healthListsEveryCheckOnceAndTheCamelContextAsLiveness() throws Exception {
        List<String> all = checkNames("/q/health");
        assertThat(all).doesNotHaveDuplicates().contains("context", "camel-routes", "camel-consumers", "audit-log", "broker");
        assertThat(checkNames("/q/health/live")).containsExactly("context");
        assertThat(checkNames("/q/health/ready")).doesNotContain("context").contains("camel-routes", "audit-log", "broker");
        JsonNode context = mapper.readTree(given().when().get("/q/health/live").then().statusCode(200).extract().asString())
                .at("/checks/0");
        assertThat(context.path("status").asText()).isEqualTo("UP");
        assertThat(context.at("/data/context.status").asText()).isEqualTo("Started");
    }

    @Test
    void theRootLinksToTheConsoleTheUiTheApiDocumentAndHealthWhichAnswerWithoutCredentials() {
        Map<String, String> links = given().accept("application/json").when().get("/").then().statusCode(200)
                .contentType("application/json").extract().jsonPath().getMap("links");
        assertThat(links).containsEntry("console", "/console").containsEntry("swaggerUi", "/q/swagger-ui").containsEntry("openapi", "/q/openapi")
                .containsEntry("health", "/q/health");
        // Every link answers without credentials, the console excepted: it asks for them, as a browser expects.
        // (Health answers 503 until the consumers' first poll: wait for readiness, as an operator would.)
        gov.hms.pipeline.support.Readiness.awaitReady();
        links.forEach((name, path) -> given().redirects().follow(true).when().get(path).then()
                .statusCode("console".equals(name) ? 401 : 200));
        assertThat(given().when().get("/q/swagger-ui/").then().statusCode(200).extract().asString()).contains("swagger-ui");

        // A browser gets a page with the same links; curl's */* gets JSON.
        String page = given().accept("text/html,application/xhtml+xml,*/*;q=0.8").when().get("/").then().statusCode(200)
                .contentType("text/html").extract().asString();
        links.values().forEach(path -> assertThat(page).contains("href=\"" + path + "\""));
        given().accept("*/*").when().get("/").then().statusCode(200).contentType("application/json");

        // The UI does not open the API: it still asks for credentials.
        given().contentType("application/json").body("{}").when().post("/api/policies").then().statusCode(401);
    }

    @Test
    void theStartUpLineNamesPortDataFolderDatabaseBrokerAndTargetsWithoutCredentials() {
        String line = startupSummary.line();
        assertThat(line).startsWith(StartupSummary.PREFIX + "policy-deployment-pipeline " + VERSION + ", http port ")
                .contains(", data folder " + PipelineTestResources.dataDir().toAbsolutePath())
                .contains(", database h2 jdbc:h2:file:" + PipelineTestResources.dataDir().resolve("ledger/ledger") + ", ")
                .contains(", broker embedded " + PipelineTestResources.brokerUrl() + " (queue policies.approved), ")
                .contains("targets live=http://127.0.0.1:" + PipelineTestResources.wireMock().port() + "/target/packages registry (disabled)")
                .contains("subscribers events (disabled) records=http://127.0.0.1:")
                .doesNotContain("whsec_")
                .doesNotContain("\n");
    }

    @Test
    void theJavaQueueSenderDeploysThroughTheEmbeddedBrokerAndPrintsTheResult() throws Exception {
        Output output = new Output();
        int status = SendPolicy.run(output.out, output.err, "samples/policy-2025-records-retention.json",
                "--url", PipelineTestResources.brokerAmqpUrl(), "--approved-by", "dr.jones", "--timeout", "60");

        assertThat(status).as(output.err()).isZero();
        JsonNode result = mapper.readTree(output.out());
        assertThat(result.path("status").asText()).isEqualTo("success");
        assertThat(result.path("policyId").asText()).isEqualTo("policy-2025-records-retention");
        assertThat(result.at("/deliveries/0/status").asText()).isEqualTo("delivered");

        Output invalid = new Output();
        assertThat(SendPolicy.run(invalid.out, invalid.err, "samples/invalid-missing-title.json",
                "--url", PipelineTestResources.brokerAmqpUrl(), "--timeout", "60")).isEqualTo(1);
        assertThat(mapper.readTree(invalid.out()).path("error").asText()).isEqualTo("Validation failed");

        Output usage = new Output();
        assertThat(SendPolicy.run(usage.out, usage.err, "samples/policy-2023-vax.json", "--port", "1")).isEqualTo(64);
        assertThat(usage.err()).contains("unknown option --port");
    }

    @Test
    void theHttpClientSampleDeploysTheSeedPolicyAndReadsTheResult() throws Exception {
        Output output = new Output();
        int status = DeployOverHttp.run(output.out, output.err, "samples/policy-2023-vax.json",
                "--url", base.toString(), "--user", "submitter", "--password", "submitter-test");

        assertThat(status).as(output.err()).isZero();
        JsonNode result = mapper.readTree(output.out());
        assertThat(result.path("status").asText()).isEqualTo("success");
        assertThat(result.path("policyId").asText()).isEqualTo("policy-2023-vax");
        assertThat(result.path("deploymentId").asText()).isNotBlank();

        Output refused = new Output();
        assertThat(DeployOverHttp.run(refused.out, refused.err, "samples/policy-2023-vax.json",
                "--url", base.toString(), "--user", "submitter", "--password", "wrong")).isEqualTo(1);
        assertThat(mapper.readTree(refused.out()).path("status").asText()).isEqualTo("failure");
        assertThat(refused.err()).contains("HTTP 401");
    }

    private JsonNode openApi() throws Exception {
        return mapper.readTree(given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .extract().asString());
    }

    private List<String> checkNames(String path) throws Exception {
        List<String> names = new ArrayList<>();
        mapper.readTree(given().when().get(path).then().extract().asString()).path("checks")
                .forEach(check -> names.add(check.path("name").asText()));
        return names;
    }

    /** Standard output and error of a sample's run. */
    private static final class Output {
        private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

        String out() {
            return outBytes.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return errBytes.toString(StandardCharsets.UTF_8);
        }
    }
}
