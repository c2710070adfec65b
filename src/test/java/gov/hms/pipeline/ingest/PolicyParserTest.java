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

    /** The inbox declares an entry that is not a regular file by its inode media type (bug hunt: links, FIFOs). */
    @Test
    void anInboxEntryThatIsNotARegularFileIs415SayingSo() {
        PolicyRejectedException e = (PolicyRejectedException) org.assertj.core.api.Assertions.catchThrowable(() -> parser.parse(
                new byte[0], new Deployment(Source.FILE, "root", "inbox file 'f.json'", "inode/fifo")));
        assertThat(e.httpStatus()).isEqualTo(415);
        assertThat(e.getMessage()).startsWith("Not a regular file (inode/fifo)");
        assertThat(catchRejection("{}", "inode/fifo").getMessage()).as("over HTTP: just a media type")
                .startsWith("Unsupported media type 'inode/fifo'");
    }

    private PolicyRejectedException catchRejection(String json, String contentType) {
        return (PolicyRejectedException) org.assertj.core.api.Assertions.catchThrowable(
                () -> parser.parse(json.getBytes(StandardCharsets.UTF_8), deployment(contentType)));
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

    /** Issue 17, case 2: text that is already the ECMAScript shortest form of a double (RFC 8785 section 3.2.2.3). */
    @ParameterizedTest
    @ValueSource(strings = {"1e23", "8.41e21", "5e-324", "1e-320", "1e+23", "1.0000000000000001e+23", "0.1", "1.7976931348623157e308"})
    void numbersWrittenInTheirShortestFormAreAccepted(String number) {
        assertThat(parse("{\"n\":" + number + "}").path("n").doubleValue()).isEqualTo(Double.parseDouble(number));
    }

    /** Issue 17, case 3: integers from 2^53 on that a double holds exactly, and the service's own canonical output. */
    @ParameterizedTest
    @ValueSource(strings = {"9007199254740992", "-9007199254740992", "18014398509481984", "1152921504606846976",
            "100000000000000000000", "1e20", "295147905179352830000", "99999999999999991611392"})
    void integersADoubleHoldsExactlyAreAccepted(String number) {
        assertThat(statusOf(() -> parse("{\"n\":" + number + "}"))).isEqualTo(200);
    }

    @Test
    void aNumberBetweenTwoDoublesIsRefusedNamingTheNearestDouble() {
        PolicyRejectedException e = (PolicyRejectedException) org.assertj.core.api.Assertions.catchThrowable(
                () -> parse("{\"n\":9007199254740993}"));
        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.path()).isEqualTo("/n");
            assertThat(error.message()).contains("9007199254740993 is not an IEEE 754 double")
                    .contains("nearest is 9007199254740992").doesNotContain("cannot be held exactly");
        });
    }

    @Test
    void numbersBeyondTheRangeOfADoubleSayWhy() {
        PolicyRejectedException e = (PolicyRejectedException) org.assertj.core.api.Assertions.catchThrowable(
                () -> parse("{\"big\":1e400,\"small\":1e-400}"));
        assertThat(e.errors()).extracting(er -> er.path() + " " + er.message()).containsExactly(
                "/big number 1E+400 is beyond the range of an IEEE 754 double; send it as a string (I-JSON, RFC 7493 section 2.2)",
                "/small number 1E-400 is too small for an IEEE 754 double (it would become 0); send it as a string (I-JSON, RFC 7493 section 2.2)");
    }

    /**
     * Bug hunt: an exponent beyond what any decimal can hold (here 100 digits) made Jackson's BigDecimal
     * parsing throw NumberFormatException out of the parser, a 500 "Internal error".
     */
    @ParameterizedTest
    @ValueSource(strings = {"1e", "-1.5E+", "1e-"})
    void anExponentTooLargeForAnyDecimalIsMalformedJson400(String prefix) {
        String number = prefix + "9".repeat(100);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> parse("{\"id\":\"num\",\"title\":\"t\",\"content\":\"c\",\"n\":" + number + "}"));
        assertThat(thrown).isInstanceOf(PolicyRejectedException.class);
        PolicyRejectedException e = (PolicyRejectedException) thrown;
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("Malformed JSON: number out of range");
    }

    @Test
    void anExponentJustWithinADecimalStillSaysItIsBeyondADouble() {
        PolicyRejectedException e = (PolicyRejectedException) org.assertj.core.api.Assertions.catchThrowable(
                () -> parse("{\"n\":1e999999999}"));
        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.errors()).singleElement().satisfies(error -> assertThat(error.path()).isEqualTo("/n"));
    }

    /** Issue 17, case 1: RFC 7493 section 2.1 forbids lone surrogates; RFC 8785 canonicalizers refuse them. */
    @Test
    void loneSurrogatesInStringsAndMemberNamesAreRefusedAtTheirPath() {
        PolicyRejectedException e = (PolicyRejectedException) org.assertj.core.api.Assertions.catchThrowable(() -> parse(
                "{\"id\":\"p1\",\"title\":\"a\\ud800\",\"tags\":[\"ok\",\"\\udc00b\"],\"x\\udbff/\":1}"));
        assertThat(e.httpStatus()).isEqualTo(422);
        // The answer must itself be well-formed UTF-8: a bad code unit in a path becomes U+FFFD, and is named, never echoed.
        assertThat(e.errors()).extracting(er -> er.path()).containsExactly("/title", "/tags/1", "/x\ufffd~1");
        assertThat(e.errors().get(0).message()).contains("lone UTF-16 surrogate U+D800").contains("RFC 7493");
        assertThat(e.errors().get(2).message()).contains("member name").contains("U+DBFF");
        assertThat(e.errors()).allSatisfy(er -> assertThat(er.path() + er.message())
                .doesNotContainPattern("[\\ud800-\\udfff]"));
    }

    @Test
    void aLoneSurrogateSentAsRawBytesIsRefusedToo() {
        byte[] cesu = {'{', '"', 't', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
        assertThat(statusOf(() -> parser.parse(cesu, deployment(null)))).isIn(400, 422);
    }

    @Test
    void surrogatePairsAreText() {
        assertThat(parse("{\"t\":\"\\ud83d\\ude00 \uD83D\uDE00\"}").path("t").asText()).isEqualTo("\uD83D\uDE00 \uD83D\uDE00");
    }

    @Test
    void escapesJsonPointerTokensPerRfc6901() {
        assertThat(PolicyParser.escapePointer("a/b~c")).isEqualTo("a~1b~0c");
    }
}
