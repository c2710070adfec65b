package gov.hms.pipeline;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.api.PolicyDeploymentPipeline;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The seed's API in Java: same route, same answers as HTTP. */
@QuarkusTest
@QuarkusTestResource(value = PipelineTestResources.class, restrictToAnnotatedClass = true)
class JavaApiTest {

    @Inject
    PolicyDeploymentPipeline pipeline;

    private WireMockServer wireMock;

    @BeforeEach
    void scriptSystems() {
        wireMock = PipelineTestResources.healthySystems();
    }

    @Test
    void seedExampleAsAMapSucceedsLikeTheTutorialSays() {
        DeploymentResult result = pipeline.deploy(Map.of(
                "id", "policy-2023-vax",
                "title", "COVID-19 Booster Guidelines",
                "content", "All adults may receive a booster every 6 months."));
        assertThat(result.status()).isEqualTo("success");
        assertThat(result.error()).isNull();
        assertThat(result.deliveries()).singleElement().satisfies(d -> assertThat(d.delivered()).isTrue());
        wireMock.verify(1, postRequestedFor(urlEqualTo("/target/packages")));
        assertThat(AuditLogReader.recordsOf(PipelineTestResources.auditFile(), result.deploymentId()))
                .allSatisfy(r -> assertThat(r.path("source").asText()).isEqualTo("api"))
                .last().satisfies(r -> assertThat(r.path("step").asText()).isEqualTo("completed"));
    }

    static Stream<Arguments> inputs() {
        return Stream.of(
                Arguments.of("{\"id\":\"p-ok\",\"title\":\"t\",\"content\":\"c\"}", 200),
                Arguments.of("{\"id\":\"p-no-title\",\"content\":\"c\"}", 422),
                Arguments.of("{\"id\":\"../../etc/passwd\",\"title\":\"t\",\"content\":\"c\"}", 422),
                Arguments.of("{\"id\":\"p1\",\"title\":", 400),
                Arguments.of("", 400),
                Arguments.of("[1,2,3]", 422));
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void javaApiAndHttpGiveTheSameAnswer(String policy, int expectedStatus) {
        DeploymentResult viaJava = pipeline.deploy(policy);
        String viaHttpStatus = given().contentType("application/json").body(policy)
                .when().post("/api/policies")
                .then().statusCode(expectedStatus)
                .extract().path("status");
        String viaHttpError = given().contentType("application/json").body(policy)
                .when().post("/api/policies").then().extract().path("error");
        assertThat(viaJava.httpStatus()).isEqualTo(expectedStatus);
        assertThat(viaJava.status()).isEqualTo(viaHttpStatus).isEqualTo(expectedStatus == 200 ? "success" : "failure");
        assertThat(viaJava.error()).isEqualTo(viaHttpError);
    }

    @Test
    void failingTargetIsAFailureWithAReason() {
        wireMock.stubFor(post(urlEqualTo("/target/packages")).willReturn(aResponse().withStatus(503)));
        DeploymentResult result = pipeline.deploy("{\"id\":\"p-down\",\"title\":\"t\",\"content\":\"c\"}");
        assertThat(result.status()).isEqualTo("failure");
        assertThat(result.error()).startsWith("Deploy failed").contains("live").contains("HTTP 503");
        wireMock.verify(0, postRequestedFor(urlEqualTo("/scheduling/events")));
        assertThat(wireMock.findAll(anyRequestedFor(anyUrl()))).hasSize(3);
    }

    /** Issue 17, case 1, from Java: a String's lone surrogate used to become "?" in its UTF-8 bytes. */
    @Test
    void loneSurrogatesAreRefusedFromEveryJavaEntryPoint() {
        String lone = "a\ud800";
        java.util.List<DeploymentResult> results = java.util.List.of(
                pipeline.deploy(Map.of("id", "j-lone-1", "title", lone, "content", "c")),
                pipeline.deploy("{\"id\":\"j-lone-2\",\"title\":\"" + lone + "\",\"content\":\"c\"}"),
                pipeline.deploy(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                        .put("id", "j-lone-3").put("title", lone).put("content", "c")));
        assertThat(results).allSatisfy(result -> {
            assertThat(result.httpStatus()).isEqualTo(422);
            assertThat(result.errors()).extracting(e -> e.path()).containsExactly("/title");
        });
        wireMock.verify(0, postRequestedFor(urlEqualTo("/target/packages")));
    }
}
