package gov.hms.pipeline.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 8785 (JSON Canonicalization Scheme): the RFC's own examples, byte for byte. */
class CanonicalJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static String canonical(String json) throws Exception {
        return new String(CanonicalJson.canonicalize(MAPPER.readTree(json)), StandardCharsets.UTF_8);
    }

    /** RFC 8785 appendix B: IEEE 754 bit patterns and their canonical text (checked with Node.js, String(x)). */
    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {
            "0000000000000000 0", "8000000000000000 0", "0000000000000001 5e-324", "8000000000000001 -5e-324",
            "7fefffffffffffff 1.7976931348623157e+308", "ffefffffffffffff -1.7976931348623157e+308",
            "4340000000000000 9007199254740992", "c340000000000000 -9007199254740992",
            "4430000000000000 295147905179352830000", "44b52d02c7e14af5 9.999999999999997e+22",
            "44b52d02c7e14af6 1e+23", "44b52d02c7e14af7 1.0000000000000001e+23",
            "444b1ae4d6e2ef4e 999999999999999700000", "444b1ae4d6e2ef4f 999999999999999900000",
            "444b1ae4d6e2ef50 1e+21", "3eb0c6f7a0b5ed8c 9.999999999999997e-7", "3eb0c6f7a0b5ed8d 0.000001",
            "41b3de4355555553 333333333.3333332", "41b3de4355555554 333333333.33333325",
            "41b3de4355555555 333333333.3333333", "41b3de4355555556 333333333.3333334",
            "41b3de4355555557 333333333.33333343", "becbf647612f3696 -0.0000033333333333333333",
            "43143ff3c1cb0959 1424953923781206.2",
            // Found wrong in java-json-canonicalization 1.1 by the Node.js comparison (EcmaScriptNumberTest).
            "00000000000007e8 1e-320"})
    void numbersOfAppendixB(String bits, String expected) {
        double value = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
        JsonNode array = JsonNodeFactory.instance.arrayNode().add(value);
        assertThat(new String(CanonicalJson.canonicalize(array), StandardCharsets.UTF_8)).isEqualTo("[" + expected + "]");
    }

    /** RFC 8785 section 3.2.2, the input of section 3.2.3's example and its canonical form. */
    @Test
    void theExampleOfSection323() throws Exception {
        String input = "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                + "  \"literals\": [null, true, false]\n}";
        assertThat(canonical(input)).isEqualTo("{\"literals\":[null,true,false],"
                + "\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    }

    /** RFC 8785 section 3.2.3: members sorted by their names' UTF-16 code units. */
    @Test
    void sortsMembersByUtf16CodeUnits() throws Exception {
        String input = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
                + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
                + "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        assertThat(canonical(input)).isEqualTo("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\uD83D\uDE00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    /** RFC 8785 section 3.2.2.2: only \" \\ and the controls below U+0020 are escaped, those in lower-case hex. */
    @Test
    void escapesOnlyWhatRfc8785Escapes() throws Exception {
        assertThat(canonical("[\"\\u0000\\u001f\\b\\t\\n\\f\\r\\u007f\\u2028</>\"]"))
                .isEqualTo("[\"\\u0000\\u001f\\b\\t\\n\\f\\r\u007f\u2028</>\"]");
    }

    /** Issue 17, case 1: a lone surrogate has no UTF-8 form; it must never become "?" (a collision). */
    @Test
    void refusesLoneSurrogatesRatherThanReplacingThem() {
        JsonNode string = JsonNodeFactory.instance.objectNode().put("a", "x\ud800");
        JsonNode name = JsonNodeFactory.instance.objectNode().put("\udc00", "x");
        assertThatThrownBy(() -> CanonicalJson.canonicalize(string)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+D800");
        assertThatThrownBy(() -> CanonicalJson.canonicalize(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+DC00");
        assertThat(CanonicalJson.canonicalize(JsonNodeFactory.instance.objectNode().put("a", "\ud83d\ude00")))
                .isEqualTo("{\"a\":\"\ud83d\ude00\"}".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void refusesNumbersJsonCannotHold() {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(JsonNodeFactory.instance.arrayNode().add(Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.canonicalize(JsonNodeFactory.instance.arrayNode().add(Double.POSITIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
