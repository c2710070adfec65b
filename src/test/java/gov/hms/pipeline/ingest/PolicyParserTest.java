package gov.hms.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.support.StubPipelineConfig;
import gov.hms.pipeline.validation.PolicyRejectedException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyParserTest {

    private final PolicyParser parser = new PolicyParser(new StubPipelineConfig());

    private static Deployment deployment(String contentType) {
        return new Deployment(Source.API, null, "test", contentType);
    }

    private JsonNode parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), deployment(null));
    }

    private static int statusOf(Runnable action) {
        try {
            action.run();
        } catch (PolicyRejectedException e) {
            return e.httpStatus();
        }
        return 200;
    }

    @Test
    void acceptsAPolicyAndRecordsItOnTheDeployment() {
        Deployment deployment = deployment("application/json; charset=utf-8");
        JsonNode policy = parser.parse("{\"id\":\"p1\"}".getBytes(StandardCharsets.UTF_8), deployment);
        assertThat(policy.path("id").asText()).isEqualTo("p1");
        assertThat(deployment.policy()).isSameAs(policy);
    }

    @Test
    void acceptsAUtf8ByteOrderMark() {
        byte[] json = "\uFEFF{\"id\":\"p1\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parse(json, deployment(null)).path("id").asText()).isEqualTo("p1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/xml", "", "multipart/form-data"})
    void refusesOtherMediaTypesWith415(String contentType) {
        assertThat(statusOf(() -> parser.parse("{}".getBytes(StandardCharsets.UTF_8), deployment(contentType))))
                .isEqualTo(415);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\r\n\t", "\uFEFF  "})
    void emptyPayloadIs400(String body) {
        assertThatThrownBy(() -> parse(body)).isInstanceOf(PolicyRejectedException.class).hasMessage("empty payload");
    }

    @Test
    void duplicateKeysAreRefusedSoNoStepSeesADifferentValue() {
        assertThatThrownBy(() -> parse("{\"id\":\"p1\",\"id\":\"../x\"}"))
                .isInstanceOf(PolicyRejectedException.class).hasMessageContaining("Duplicate field 'id'");
    }

    @Test
    void trailingContentIsRefused() {
        assertThat(statusOf(() -> parse("{\"id\":\"p1\"} {\"id\":\"p2\"}"))).isEqualTo(400);
    }

    @Test
    void deepNestingIsRefusedWithoutAStackOverflow() {
        assertThat(statusOf(() -> parse("[".repeat(100_000)))).isEqualTo(400);
        String depth65 = "{\"a\":".repeat(65) + "1" + "}".repeat(65);
        assertThat(statusOf(() -> parse(depth65))).isEqualTo(400);
    }

    @Test
    void oversizedPayloadIs413() {
        String big = "{\"content\":\"" + "x".repeat(2048) + "\"}";
        PolicyParser small = new PolicyParser(new StubPipelineConfig().maxBytes(1024));
        assertThat(statusOf(() -> small.parse(big.getBytes(StandardCharsets.UTF_8), deployment(null)))).isEqualTo(413);
    }

    @Test
    void aNonObjectDocumentIs422() {
        assertThat(statusOf(() -> parse("[1]"))).isEqualTo(422);
        assertThat(statusOf(() -> parse("\"text\""))).isEqualTo(422);
    }

    @Test
    void numbersADoubleCannotHoldExactlyAreRefusedAtTheirPath() {
        PolicyRejectedException e = (PolicyRejectedException) org.assertj.core.api.Assertions.catchThrowable(() -> parse(
                "{\"a\":12345678901234567890.123456789012345678901,\"b\":[1e400],\"c\":9007199254740993}"));
        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.errors()).extracting(er -> er.path()).containsExactly("/a", "/b/0", "/c");
    }

    @Test
    void numbersADoubleHoldsAreAccepted() {
        JsonNode policy = parse("{\"a\":0.1,\"b\":-3,\"c\":2.5e3,\"d\":9007199254740991}");
        assertThat(policy.path("a").doubleValue()).isEqualTo(0.1);
        assertThat(policy.path("c").doubleValue()).isEqualTo(2500.0);
    }

    @Test
    void escapesJsonPointerTokensPerRfc6901() {
        assertThat(PolicyParser.escapePointer("a/b~c")).isEqualTo("a~1b~0c");
    }
}
