package gov.hms.pipeline;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, case 5: every method on every served path (JAX-RS resources and Camel platform-http routes).
 * A method the path does not serve is 405 with {@code Allow} (RFC 9110 section 15.5.6) and the JSON error;
 * OPTIONS answers the same {@code Allow}, naming only what is served (section 9.3.7).
 */
@QuarkusTest
@QuarkusTestResource(value = PipelineTestResources.class, restrictToAnnotatedClass = true)
class HttpMethodsTest {

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");

    /** What each path serves: the API as documented in the README and the OpenAPI document. */
    private static final Map<String, Set<String>> SERVED = Map.ofEntries(
            Map.entry("/api/policies", Set.of("GET", "HEAD", "POST", "OPTIONS")),
            // GET and DELETE /api/policies/{id} serve "validate" as an id too (a JSON 404: no such policy).
            Map.entry("/api/policies/validate", Set.of("GET", "HEAD", "DELETE", "POST", "OPTIONS")),
            Map.entry("/api/policies/p1", Set.of("GET", "HEAD", "DELETE", "OPTIONS")),
            Map.entry("/api/deployments/00000000-0000-4000-8000-000000000000", Set.of("GET", "HEAD", "DELETE", "OPTIONS")),
            Map.entry("/api/policies/p1/versions", Set.of("GET", "HEAD", "OPTIONS")),
            Map.entry("/api/policies/p1/rollback", Set.of("POST", "OPTIONS")),
            Map.entry("/api/policies/p1/sync", Set.of("POST", "OPTIONS")),
            Map.entry("/api/deployments", Set.of("GET", "HEAD", "OPTIONS")),
            Map.entry("/api/audit", Set.of("GET", "HEAD", "OPTIONS")),
            Map.entry("/api/audit/verify", Set.of("GET", "HEAD", "OPTIONS")),
            Map.entry("/api/keys", Set.of("GET", "HEAD", "OPTIONS")),
            Map.entry("/api/dead-letters", Set.of("GET", "HEAD", "OPTIONS")),
            Map.entry("/api/dead-letters/dl-unknown", Set.of("GET", "HEAD", "DELETE", "OPTIONS")),
            Map.entry("/api/dead-letters/dl-unknown/retry", Set.of("POST", "OPTIONS")),
            Map.entry("/registry/packages", Set.of("POST", "OPTIONS")),
            Map.entry("/registry/policies/p1", Set.of("GET", "HEAD", "OPTIONS")),
            Map.entry("/registry/events", Set.of("GET", "HEAD", "POST", "OPTIONS")));

    @BeforeEach
    void scriptSystems() {
        PipelineTestResources.healthySystems();
    }

    @Test
    void everyMethodNotServedIs405WithAllowAndJsonAndOptionsSaysTheSame() {
        org.assertj.core.api.SoftAssertions softly = new org.assertj.core.api.SoftAssertions();
        int checked = 0;
        for (Map.Entry<String, Set<String>> path : SERVED.entrySet()) {
            for (String method : METHODS) {
                Response response = given().body(method.equals("POST") || method.equals("PUT") || method.equals("PATCH")
                                ? "{}" : "").contentType("application/json")
                        .when().request(method, path.getKey());
                String where = method + " " + path.getKey();
                if (method.equals("OPTIONS")) {
                    softly.assertThat(response.statusCode()).as(where).isIn(200, 204);
                    softly.assertThat(allow(response)).as(where).isEqualTo(new TreeSet<>(path.getValue()));
                } else if (path.getValue().contains(method)) {
                    softly.assertThat(response.statusCode()).as(where).isNotEqualTo(405);
                } else {
                    softly.assertThat(response.statusCode()).as(where).isEqualTo(405);
                    softly.assertThat(allow(response)).as(where).isEqualTo(new TreeSet<>(path.getValue()));
                    softly.assertThat(response.contentType()).as(where).startsWith("application/json");
                    // A HEAD answer has no body (RFC 9110 section 9.3.2); every other one carries the JSON error.
                    softly.assertThat(method.equals("HEAD") ? "\"status\":\"failure\" " + where : response.asString()).as(where).contains("\"status\":\"failure\"").contains(method)
                            .contains(path.getKey());
                }
                checked++;
            }
        }
        softly.assertAll();
        assertThat(checked).isEqualTo(SERVED.size() * METHODS.size());
    }

    private static Set<String> allow(Response response) {
        String allow = response.header("Allow");
        if (allow == null) {
            return Set.of();
        }
        return Arrays.stream(allow.split(",")).map(String::trim).collect(Collectors.toCollection(TreeSet::new));
    }
}
