package gov.hms.pipeline.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.ingest.PolicyParser;
import gov.hms.pipeline.support.StubPipelineConfig;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property (a seeded loop): for random JSON documents within the parser's limits, written the many ways
 * JSON allows (white space, member order, escapes, exact and shortest numbers, exponents, trailing zeros),
 * parse -> canonicalize -> parse -> canonicalize is a fixed point after the first step, and the hash
 * (the policy's {@code Idempotency-Key}) is the same both times. The seed is printed on failure.
 */
class CanonicalFixedPointTest {

    private static final long SEED = 17L;
    private static final int DOCUMENTS = 3000;

    private final PolicyParser parser = new PolicyParser(new StubPipelineConfig());

    @Test
    void canonicalFormIsAFixedPointAndItsHashIsStable() {
        SplittableRandom random = new SplittableRandom(SEED);
        EcmaScriptNumberTest.Draws doubles = new EcmaScriptNumberTest.Draws(SEED);
        for (int i = 0; i < DOCUMENTS; i++) {
            StringBuilder text = new StringBuilder();
            new Writer(random, doubles).object(text, 0);
            byte[] first = CanonicalJson.canonicalize(parse(text.toString().getBytes(StandardCharsets.UTF_8)));
            byte[] second = CanonicalJson.canonicalize(parse(first));
            assertThat(new String(second, StandardCharsets.UTF_8)).as("document %d of seed %d: %s", i, SEED, text)
                    .isEqualTo(new String(first, StandardCharsets.UTF_8));
            assertThat(CanonicalJson.sha256Hex(second)).isEqualTo(CanonicalJson.sha256Hex(first));
        }
        System.out.printf("RFC 8785 fixed point: %,d random documents (seed %d)%n", DOCUMENTS, SEED);
    }

    private JsonNode parse(byte[] json) {
        return parser.parse(json, new Deployment(Source.API, null, "test", null));
    }

    /** Writes one random document as JSON text, deliberately not in canonical form. */
    private record Writer(SplittableRandom random, EcmaScriptNumberTest.Draws doubles) {

        private static final int MAX_DEPTH = 6;

        void value(StringBuilder out, int depth) {
            int kind = random.nextInt(depth >= MAX_DEPTH ? 5 : 7);
            switch (kind) {
                case 0 -> out.append(random.nextBoolean() ? "true" : "false");
                case 1 -> out.append("null");
                case 2, 3 -> number(out);
                case 4 -> string(out);
                case 5 -> object(out, depth + 1);
                default -> array(out, depth + 1);
            }
        }

        void object(StringBuilder out, int depth) {
            out.append('{').append(space());
            int members = random.nextInt(6);
            java.util.Set<String> names = new java.util.HashSet<>();
            for (int i = 0; i < members; i++) {
                StringBuilder name = new StringBuilder();
                String plain = string(name);
                if (!names.add(plain)) {
                    continue; // duplicate names are refused, by design; not this property's subject
                }
                if (names.size() > 1) {
                    out.append(',').append(space());
                }
                out.append(name).append(space()).append(':').append(space());
                value(out, depth);
            }
            out.append(space()).append('}');
        }

        void array(StringBuilder out, int depth) {
            out.append('[');
            int items = random.nextInt(5);
            for (int i = 0; i < items; i++) {
                if (i > 0) {
                    out.append(',').append(space());
                }
                value(out, depth);
            }
            out.append(']');
        }

        /** A double written as its shortest text, its exact value, or with a moved exponent and trailing zeros. */
        void number(StringBuilder out) {
            double value = random.nextInt(3) == 0 ? random.nextInt(-1000, 1000) : doubles.next();
            String shortest = EcmaScriptNumber.toString(value);
            switch (random.nextInt(4)) {
                case 0 -> out.append(shortest);
                case 1 -> out.append(value == 0 ? "0" : new BigDecimal(value).toString());
                case 2 -> {
                    BigDecimal decimal = new BigDecimal(shortest);
                    out.append(decimal.unscaledValue()).append(random.nextBoolean() ? 'e' : 'E').append(-decimal.scale());
                }
                default -> {
                    String plain = new BigDecimal(shortest).toPlainString();
                    out.append(plain).append(plain.contains(".") ? "00" : ".00");
                }
            }
        }

        /** Writes a random string (escaped at random) and returns its value. */
        String string(StringBuilder out) {
            StringBuilder value = new StringBuilder();
            int length = random.nextInt(8);
            out.append('"');
            for (int i = 0; i < length; i++) {
                int codePoint = switch (random.nextInt(6)) {
                    case 0 -> random.nextInt(0x20);                 // controls
                    case 1 -> "\"\\/ a".charAt(random.nextInt(5));  // what needs or may have escapes
                    case 2 -> random.nextInt(0x20, 0x80);
                    case 3 -> random.nextInt(0x80, 0xD800);
                    case 4 -> random.nextInt(0xE000, 0x10000);
                    default -> random.nextInt(0x10000, 0x110000);    // a surrogate pair in UTF-16
                };
                value.appendCodePoint(codePoint);
                if (codePoint < 0x20 || codePoint == '"' || codePoint == '\\' || random.nextInt(4) == 0) {
                    for (char unit : Character.toChars(codePoint)) {
                        out.append(String.format(random.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) unit));
                    }
                } else {
                    out.appendCodePoint(codePoint);
                }
            }
            out.append('"');
            return value.toString();
        }

        private String space() {
            return switch (random.nextInt(4)) {
                case 0 -> " ";
                case 1 -> "\n  ";
                case 2 -> "\t";
                default -> "";
            };
        }
    }
}
