package gov.hms.pipeline.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyValidatorTest {

    private final PolicyValidator validator = new PolicyValidator();
    private final ObjectMapper mapper = new ObjectMapper();

    private PolicyRejectedException rejection(String json) throws Exception {
        JsonNode policy = mapper.readTree(json);
        return catchThrowableOfType(PolicyRejectedException.class,
                () -> validator.validate(policy, new Deployment(Source.API, null, "test", null)));
    }

    @Test
    void aValidPolicyNamesItsIdAndVersion() throws Exception {
        Deployment deployment = new Deployment(Source.API, null, "test", null);
        validator.validate(mapper.readTree("{\"id\":\"p-1.2_x\",\"title\":\"t\",\"content\":\"c\",\"version\":3}"), deployment);
        assertThat(deployment.policyId()).isEqualTo("p-1.2_x");
        assertThat(deployment.version()).isEqualTo("3");
    }

    @Test
    void reportsEveryMissingFieldAtOnce() throws Exception {
        PolicyRejectedException e = rejection("{}");
        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.errors()).extracting(ValidationError::path).containsExactly("/id", "/title", "/content");
    }

    @Test
    void blankAndNonStringFieldsAreErrors() throws Exception {
        PolicyRejectedException e = rejection("{\"id\":\"p1\",\"title\":\"  \",\"content\":42}");
        assertThat(e.errors()).extracting(ValidationError::path).containsExactly("/title", "/content");
        assertThat(e.errors().get(0).message()).contains("blank");
        assertThat(e.errors().get(1).message()).contains("string");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", ".hidden", "a/b", "a\\\\b", "-start", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "ünïcode", "a b"})
    void unsafeIdsAreRejected(String id) throws Exception {
        PolicyRejectedException e = rejection("{\"id\":\"" + id + "\",\"title\":\"t\",\"content\":\"c\"}");
        assertThat(e.errors()).extracting(ValidationError::path).containsExactly("/id");
    }

    @Test
    void safeIdPatternIsTheContractOne() {
        assertThat(PolicyValidator.isSafeId("policy-2023-vax")).isTrue();
        assertThat(PolicyValidator.isSafeId("x".repeat(128))).isTrue();
        assertThat(PolicyValidator.isSafeId(null)).isFalse();
    }
}
