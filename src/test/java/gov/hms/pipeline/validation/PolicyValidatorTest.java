package gov.hms.pipeline.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.support.StubPipelineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyValidatorTest {

    private static final String BASE = "\"id\":\"p1\",\"title\":\"t\",\"content\":\"c\"";

    private final PolicyValidator validator = new PolicyValidator(new StubPipelineConfig());
    private final ObjectMapper mapper = new ObjectMapper();

    private List<ValidationError> errors(PolicyValidator validator, String json) throws Exception {
        JsonNode policy = mapper.readTree(json);
        PolicyRejectedException e = catchThrowableOfType(PolicyRejectedException.class,
                () -> validator.validate(policy, new Deployment(Source.API, null, "test", null)));
        if (e == null) {
            return List.of();
        }
        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.getMessage()).isEqualTo("Validation failed");
        return e.errors();
    }

    private List<ValidationError> errors(String json) throws Exception {
        return errors(validator, json);
    }

    private List<String> pathsOf(String json) throws Exception {
        return errors(json).stream().map(ValidationError::path).toList();
    }

    @Test
    void aValidPolicyNamesItsIdAndVersion() throws Exception {
        Deployment deployment = new Deployment(Source.API, null, "test", null);
        validator.validate(mapper.readTree("{\"id\":\"p-1.2_x\",\"title\":\"t\",\"content\":\"c\",\"version\":3}"), deployment);
        assertThat(deployment.policyId()).isEqualTo("p-1.2_x");
        assertThat(deployment.version()).isEqualTo("3");
    }

    @Test
    void theRichSamplePolicyIsValid() throws Exception {
        assertThat(errors(Files.readString(Path.of("samples/policy-2024-flu-clinics.json")))).isEmpty();
        assertThat(errors(Files.readString(Path.of("samples/policy-2025-records-retention.json")))).isEmpty();
    }

    @Test
    void reportsEveryMissingFieldAtOnceAtItsOwnPath() throws Exception {
        List<ValidationError> errors = errors("{}");
        assertThat(errors).extracting(ValidationError::path).containsExactlyInAnyOrder("/id", "/title", "/content");
        assertThat(errors).extracting(ValidationError::message).contains("'title' is required");
    }

    @Test
    void threeErrorsInOnePolicyAreThreeErrorsInOneAnswer() throws Exception {
        assertThat(pathsOf("{\"id\":\"p1\",\"title\":\"  \",\"content\":\"c\",\"status\":\"draft\",\"tags\":[1]}"))
                .containsExactlyInAnyOrder("/title", "/status", "/tags/0");
    }

    @Test
    void blankAndNonStringFieldsAreErrorsAPersonUnderstands() throws Exception {
        List<ValidationError> errors = errors("{\"id\":\"p1\",\"title\":\"  \",\"content\":42}");
        assertThat(errors).extracting(ValidationError::path).containsExactlyInAnyOrder("/title", "/content");
        assertThat(errors).filteredOn(e -> e.path().equals("/title")).extracting(ValidationError::message)
                .containsExactly("must not be blank");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", ".hidden", "a/b", "-start", "ünïcode", "a b",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void unsafeIdsAreRejected(String id) throws Exception {
        assertThat(pathsOf("{\"id\":\"" + id + "\",\"title\":\"t\",\"content\":\"c\"}")).containsExactly("/id");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"version\":1 | ",
            "\"version\":\"2.1.0\" | ",
            "\"version\":\"1.0.0-rc.1+build.5\" | ",
            "\"version\":0 | /version",
            "\"version\":\"v2\" | /version",
            "\"version\":1.5 | /version",
            "\"effectiveDate\":\"2024-10-01\" | ",
            "\"effectiveDate\":\"2024-10-01T08:00:00Z\" | ",
            "\"effectiveDate\":\"2024-10-01T08:00:00+02:00\" | ",
            "\"effectiveDate\":\"2024-02-30\" | /effectiveDate",
            "\"effectiveDate\":\"01/10/2024\" | /effectiveDate",
            "\"expiresAt\":\"tomorrow\" | /expiresAt",
            "\"effectiveDate\":\"2024-10-01\",\"expiresAt\":\"2025-03-31\" | ",
            "\"effectiveDate\":\"2024-10-01\",\"expiresAt\":\"2024-09-30\" | /expiresAt",
            "\"effectiveDate\":\"2024-10-01T10:00:00Z\",\"expiresAt\":\"2024-10-01T10:00:00Z\" | /expiresAt",
            "\"activateAt\":\"2030-01-01T10:00:00Z\",\"expiresAt\":\"2030-06-30T00:00:00Z\" | ",
            // The shipped schema's date-time format (networknt) is stricter than RFC 3339 section 5.6 here.
            "\"activateAt\":\"2030-01-01T10:00:00+23:59\" | /activateAt",
            "\"activateAt\":\"2030-01-01T10:00:00Z\",\"expiresAt\":\"2030-01-01T09:59:59Z\" | /expiresAt",
            "\"activateAt\":\"2030-01-01T10:00:00Z\",\"expiresAt\":\"2030-01-01T10:00:00Z\" | /expiresAt",
            "\"status\":\"approved\" | ",
            "\"status\":\"draft\" | /status",
            "\"approval\":{\"approvedBy\":\"a@b\",\"approvedAt\":\"2024-09-12T14:30:00Z\",\"reviewId\":\"R-1\"} | ",
            "\"approval\":{\"approvedAt\":\"yesterday\"} | /approval/approvedAt",
            "\"approval\":{\"approvedBy\":\"\"} | /approval/approvedBy",
            "\"approval\":\"yes\" | /approval",
            "\"jurisdiction\":\"US-HHS\" | ",
            "\"jurisdiction\":7 | /jurisdiction",
            "\"tags\":[\"a\",\"b\"] | ",
            "\"tags\":\"a\" | /tags",
            "\"anything\":{\"else\":[1,2]} | "})
    void eachSchemaRuleAcceptsAndRejectsAtTheRightPath(String fields, String expectedPath) throws Exception {
        List<String> paths = pathsOf("{" + BASE + "," + fields + "}");
        if (expectedPath == null) {
            assertThat(paths).isEmpty();
        } else {
            assertThat(paths).containsExactly(expectedPath);
        }
    }

    @Test
    void messagesSayWhatIsWrongWithoutRepeatingThePath() throws Exception {
        List<ValidationError> errors = errors("{" + BASE + ",\"effectiveDate\":\"2024-02-30\",\"version\":\"v2\",\"tags\":[1]}");
        assertThat(errors).extracting(ValidationError::message).containsExactlyInAnyOrder(
                "must be an RFC 3339 date (\"2024-10-01\") or date-time (\"2024-10-01T08:00:00Z\")",
                "must be a positive integer or a semantic version such as \"2.1.0\"",
                "integer found, string expected");
    }

    @Test
    void aReplacedSchemaTakesEffectButCannotMakeUnsafeIdsSafe(@TempDir Path folder) throws Exception {
        Path schema = folder.resolve("strict.schema.json");
        Files.writeString(schema, """
                {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                 "required":["id","title","content","jurisdiction"],
                 "properties":{"id":{"type":"string"}}}""");
        PolicyValidator replaced = new PolicyValidator(new StubPipelineConfig().schema(schema));
        assertThat(errors(replaced, "{" + BASE + "}")).extracting(ValidationError::path).containsExactly("/jurisdiction");
        assertThat(errors(replaced, "{\"id\":\"../x\",\"title\":\"t\",\"content\":\"c\",\"jurisdiction\":\"j\"}"))
                .extracting(ValidationError::path).containsExactly("/id");
    }

    @Test
    void safeIdPatternIsTheContractOne() {
        assertThat(PolicyValidator.isSafeId("policy-2023-vax")).isTrue();
        assertThat(PolicyValidator.isSafeId("x".repeat(128))).isTrue();
        assertThat(PolicyValidator.isSafeId("x".repeat(129))).isFalse();
        assertThat(PolicyValidator.isSafeId(null)).isFalse();
    }
}
