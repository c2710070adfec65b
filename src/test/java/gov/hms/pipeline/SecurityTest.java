package gov.hms.pipeline;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.PipelineTestResources;
import gov.hms.pipeline.support.SecuredTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Roles on every /api and /registry endpoint; 401 and 403 as JSON; the principal audited. */
@QuarkusTest
@QuarkusTestResource(value = SecuredTestResources.class, restrictToAnnotatedClass = true)
class SecurityTest {

    static final String POLICY = "{\"id\":\"policy-secured\",\"title\":\"t\",\"content\":\"c\"}";

    @BeforeEach
    void scriptSystems() {
        PipelineTestResources.healthySystems();
    }

    @Test
    void withoutCredentialsIs401AsJson() {
        given().contentType("application/json").body(POLICY).when().post("/api/policies")
                .then().statusCode(401).contentType("application/json")
                .body("status", equalTo("failure"));
        given().when().get("/registry/events").then().statusCode(401).contentType("application/json");
    }

    @Test
    void wrongPasswordIs401() {
        given().auth().preemptive().basic("submitter", "wrong").contentType("application/json").body(POLICY)
                .when().post("/api/policies").then().statusCode(401);
    }

    @Test
    void wrongRoleIs403AsJson() {
        given().auth().preemptive().basic("reader", "reader-test").contentType("application/json").body(POLICY)
                .when().post("/api/policies")
                .then().statusCode(403).contentType("application/json").body("status", equalTo("failure"));
        given().auth().preemptive().basic("reader", "reader-test").contentType("application/json").body(POLICY)
                .when().post("/api/policies/validate").then().statusCode(403);
        given().auth().preemptive().basic("submitter", "submitter-test").when().get("/registry/events")
                .then().statusCode(403);
    }

    @Test
    void otherMethodsOnTheDeployEndpointAre405ForAnyAuthenticatedUserAnd401Without() {
        for (String user : new String[] {"submitter", "reader"}) {
            given().auth().preemptive().basic(user, user + "-test").when().delete("/api/policies")
                    .then().statusCode(405).contentType("application/json")
                    .header("Allow", org.hamcrest.Matchers.allOf(org.hamcrest.Matchers.containsString("GET"),
                            org.hamcrest.Matchers.containsString("POST")));
            // GET and DELETE /api/policies/{id} match "validate" too (a withdrawal of a policy so named: operators only).
            given().auth().preemptive().basic(user, user + "-test").when().put("/api/policies/validate")
                    .then().statusCode(405).header("Allow", org.hamcrest.Matchers.containsString("POST"));
            given().auth().preemptive().basic(user, user + "-test").contentType("application/json")
                    .body("{\"reason\":\"not mine to withdraw\"}").when().delete("/api/policies/validate")
                    .then().statusCode(403).contentType("application/json");
            given().auth().preemptive().basic(user, user + "-test").when()
                    .delete("/api/deployments/00000000-0000-4000-8000-000000000000").then().statusCode(403);
        }
        given().when().get("/api/policies").then().statusCode(401);
    }

    @Test
    void readersReadTheLedgerOnlyOperatorsRollBackAndTheOperatorIsAudited() {
        given().auth().preemptive().basic("reader", "reader-test").when().get("/api/policies").then().statusCode(200);
        given().auth().preemptive().basic("submitter", "submitter-test").when().get("/api/policies").then().statusCode(403);
        given().auth().preemptive().basic("submitter", "submitter-test").when().get("/api/deployments").then().statusCode(403);
        given().auth().preemptive().basic("submitter", "submitter-test").contentType("application/json")
                .body(POLICY.replace("\"id\":\"", "\"id\":\"secured-rollback-")).when().post("/api/policies")
                .then().statusCode(200);
        String body = "{\"toRevision\":1,\"reason\":\"audited reason\"}";
        for (String user : new String[] {"submitter", "reader"}) {
            given().auth().preemptive().basic(user, user + "-test").contentType("application/json").body(body)
                    .when().post("/api/policies/secured-rollback-policy-secured/rollback")
                    .then().statusCode(403).contentType("application/json");
        }
        String deploymentId = given().auth().preemptive().basic("operator", "operator-test").contentType("application/json")
                .body(body).when().post("/api/policies/secured-rollback-policy-secured/rollback")
                .then().statusCode(200).extract().path("deploymentId");
        var records = AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId);
        assertThat(records).isNotEmpty().allSatisfy(r -> assertThat(r.path("actor").asText()).isEqualTo("operator"));
        assertThat(records.get(0).path("detail").asText()).contains("audited reason");
    }

    @Test
    void submitterDeploysAndIsTheAuditedActor() {
        String deploymentId = given().auth().preemptive().basic("submitter", "submitter-test")
                .contentType("application/json").body(POLICY)
                .when().post("/api/policies")
                .then().statusCode(200).body("status", equalTo("success"))
                .extract().path("deploymentId");
        assertThat(AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.path("actor").asText()).isEqualTo("submitter"));
        assertThat(PipelineTestResources.wireMock().getAllServeEvents()).allSatisfy(e ->
                assertThat(e.getRequest().containsHeader("Authorization")).isFalse());
    }

    @Test
    void onlyOperatorsHandleDeadLettersAndTheOperatorIsAudited() {
        PipelineTestResources.wireMock().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/target/packages"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(500)));
        String deploymentId = given().auth().preemptive().basic("submitter", "submitter-test")
                .contentType("application/json").body(POLICY)
                .when().post("/api/policies")
                .then().statusCode(502).extract().path("deploymentId");
        given().auth().preemptive().basic("reader", "reader-test").when().get("/api/dead-letters").then().statusCode(403);
        given().auth().preemptive().basic("submitter", "submitter-test").when().delete("/api/dead-letters/" + deploymentId)
                .then().statusCode(403);
        given().auth().preemptive().basic("operator", "operator-test").when().get("/api/dead-letters").then().statusCode(200);
        given().auth().preemptive().basic("operator", "operator-test").when().delete("/api/dead-letters/" + deploymentId)
                .then().statusCode(200);
        assertThat(AuditLogReader.records(PipelineTestResources.auditFile()))
                .filteredOn(r -> r.path("step").asText().equals("dead-letter-discarded"))
                .last().satisfies(r -> assertThat(r.path("actor").asText()).isEqualTo("operator"));
    }

    @Test
    void readerReadsTheRegistryAndHealthStaysOpen() {
        given().auth().preemptive().basic("reader", "reader-test").when().get("/registry/events").then().statusCode(200);
        gov.hms.pipeline.support.Readiness.awaitReady();
    }
}
