package gov.hms.pipeline.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EcmaScriptWhiteSpaceTest {

    /** Node.js 20: every BMP code point c with /^\s$/.test(String.fromCharCode(c)). */
    private static final int[] ECMASCRIPT_WHITE_SPACE = {0x9, 0xa, 0xb, 0xc, 0xd, 0x20, 0xa0, 0x1680, 0x2000, 0x2001,
            0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f,
            0x3000, 0xfeff};

    @Test
    void blankMeansWhatEcmaScriptsBackslashSMeansOnEveryBmpCodePoint() {
        List<Integer> blank = new ArrayList<>();
        for (int c = 0; c < 0x10000; c++) {
            if (EcmaScriptWhiteSpace.isBlank(String.valueOf((char) c))) {
                blank.add(c);
            }
        }
        assertThat(blank).containsExactly(java.util.Arrays.stream(ECMASCRIPT_WHITE_SPACE).boxed().toArray(Integer[]::new));
        assertThat(EcmaScriptWhiteSpace.isBlank("")).isTrue();
        assertThat(EcmaScriptWhiteSpace.isBlank(" \u00a0\u3000\u2028 ")).isTrue();
        assertThat(EcmaScriptWhiteSpace.isBlank(" \u00a0x")).isFalse();
        assertThat(EcmaScriptWhiteSpace.isBlank("\u200b")).as("zero width space is a format character").isFalse();
    }

    @Test
    void theShippedSchemaUsesTheSamePatternForTitleAndContent() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("policy.schema.json")) {
            var schema = new ObjectMapper().readTree(in);
            assertThat(schema.at("/properties/title/pattern").asText()).isEqualTo(EcmaScriptWhiteSpace.NOT_BLANK);
            assertThat(schema.at("/properties/content/pattern").asText()).isEqualTo(EcmaScriptWhiteSpace.NOT_BLANK);
        }
    }
}
