package gov.hms.pipeline.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.Source;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyPackagerTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final PolicyPackager packager = new PolicyPackager(Long.MAX_VALUE, PackageSigner.unsigned(),
            () -> Set.of(PolicyPackage.JSON), new PolicyPackager.Generator("test", "0"));

    private PolicyPackage packageOf(String json) throws Exception {
        Deployment deployment = new Deployment(Source.API, null, "test", null);
        JsonNode policy = mapper.readTree(json);
        deployment.policy(policy);
        deployment.identify(policy.path("id").asText(), null);
        return packager.packageFor(deployment);
    }

    @Test
    void envelopeCarriesManifestAndPolicyInCanonicalForm() throws Exception {
        PolicyPackage jsonPackage = packageOf("{ \"title\": \"T\", \"id\": \"p1\", \"content\": \"C\" }");
        String canonicalPolicy = "{\"content\":\"C\",\"id\":\"p1\",\"title\":\"T\"}";
        String expected = "{\"manifest\":{\"createdAt\":\"1970-01-01T00:00:00Z\",\"format\":\"json\",\"policyId\":\"p1\","
                + "\"sha256\":\"" + CanonicalJson.sha256Hex(canonicalPolicy) + "\",\"version\":null},"
                + "\"policy\":" + canonicalPolicy + "}";
        assertThat(new String(jsonPackage.bytes(), StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(jsonPackage.sha256()).isEqualTo(CanonicalJson.sha256Hex(expected));
        assertThat(jsonPackage.contentType()).isEqualTo("application/json");
    }

    @Test
    void samePolicyInAnyKeyOrderGivesIdenticalBytes() throws Exception {
        PolicyPackage a = packageOf("{\"id\":\"p1\",\"title\":\"T\",\"content\":\"C\",\"n\":2.5e3}");
        PolicyPackage b = packageOf("{\"content\":\"C\",\"n\":2500,\"title\":\"T\",\"id\":\"p1\"}");
        assertThat(a.bytes()).isEqualTo(b.bytes());
        PolicyPackage changed = packageOf("{\"id\":\"p1\",\"title\":\"T\",\"content\":\"C2\",\"n\":2500}");
        assertThat(changed.sha256()).isNotEqualTo(a.sha256());
    }

    @Test
    void createdAtComesFromThePolicyNotTheClock() throws Exception {
        assertThat(PolicyPackager.createdAt(mapper.readTree(
                "{\"approval\":{\"approvedAt\":\"2024-09-12T14:30:00Z\"},\"effectiveDate\":\"2024-10-01\"}")))
                .isEqualTo("2024-09-12T14:30:00Z");
        assertThat(PolicyPackager.createdAt(mapper.readTree("{\"effectiveDate\":\"2024-10-01\"}"))).isEqualTo("2024-10-01");
        assertThat(PolicyPackager.createdAt(mapper.readTree("{}"))).isEqualTo("1970-01-01T00:00:00Z");
    }

    @Test
    void canonicalJsonFollowsRfc8785NumberAndEscapingRules() throws Exception {
        // RFC 8785 section 3.2.2.3 / appendix B examples.
        JsonNode node = mapper.readTree("{\"numbers\":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"
                + "\"string\":\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\"literals\":[null,true,false]}");
        assertThat(new String(CanonicalJson.canonicalize(node), StandardCharsets.UTF_8)).isEqualTo(
                "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                        + "\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    }
}
