package gov.hms.pipeline.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link EcmaScriptNumber} against ECMAScript's own {@code Number.prototype.toString}: 100,000 doubles
 * drawn from a seeded stream, written by Node.js ({@code src/test/resources/ecmascript-numbers/generate.mjs}).
 * The same doubles are drawn here; the SHA-256 of all lines must equal the one Node recorded
 * ({@code sha256.txt}); {@code excerpt.txt} holds Node's first 2,000 lines to show any difference.
 */
class EcmaScriptNumberTest {

    private static final int COUNT = 100_000;

    @Test
    void agreesWithNodeJsOnOneHundredThousandDoublesAndEachParsesBack() throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        Draws draws = new Draws(0x8785L);
        List<String> first = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            double value = draws.next();
            String text = EcmaScriptNumber.toString(value);
            assertThat(Double.parseDouble(text)).as("%s parses back", text).isEqualTo(value == 0 ? 0.0 : value);
            String line = String.format("%016x %s%n", Double.doubleToRawLongBits(value), text);
            sha256.update(line.getBytes(StandardCharsets.UTF_8));
            if (first.size() < 2000) {
                first.add(line.strip());
            }
        }
        assertThat(first).as("Node's first 2,000 lines").containsExactlyElementsOf(resourceLines("excerpt.txt"));
        String recorded = resourceLines("sha256.txt").get(0).split(" ")[0];
        assertThat(HexFormat.of().formatHex(sha256.digest())).as("SHA-256 of all %d lines", COUNT).isEqualTo(recorded);
        System.out.printf("ECMAScript Number::toString: %,d doubles agree with Node.js and parse back%n", COUNT);
    }

    /** Where JDK 17's Double.toString is not the shortest form, and where JDK 19+'s keeps two digits. */
    @ParameterizedTest
    @CsvSource(delimiter = ' ', value = {"1e23 1e+23", "8.41e21 8.41e+21", "5e-324 5e-324", "1e-322 1e-322",
            "2e-323 2e-323", "1e20 100000000000000000000", "1e21 1e+21", "2.0E-7 2e-7", "1e-7 1e-7",
            "0.000001 0.000001", "123e-20 1.23e-18", "-0.0 0", "0 0", "9007199254740993 9007199254740992",
            "4.35 4.35", "0.1 0.1", "100 100", "1.5 1.5", "-12.75 -12.75"})
    void writesTheEcmaScriptForm(String input, String expected) {
        assertThat(EcmaScriptNumber.toString(Double.parseDouble(input))).isEqualTo(expected);
    }

    @Test
    void refusesWhatJsonCannotHold() {
        assertThatThrownBy(() -> EcmaScriptNumber.toString(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EcmaScriptNumber.toString(Double.NEGATIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> resourceLines(String name) throws IOException {
        try (InputStream in = EcmaScriptNumberTest.class.getResourceAsStream("/ecmascript-numbers/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** generate.mjs's draw(), line for line: SplitMix64 and four kinds of double. */
    static final class Draws {
        private long state;

        Draws(long seed) {
            this.state = seed;
        }

        private long nextLong() {
            long z = (state += 0x9e3779b97f4a7c15L);
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }

        private long below(long bound) {
            return Long.remainderUnsigned(nextLong(), bound);
        }

        double next() {
            for (;;) {
                double value = any();
                if (Double.isFinite(value)) {
                    return value;
                }
            }
        }

        private double any() {
            switch ((int) below(4)) {
                case 0 -> {
                    long bits = nextLong();
                    while (((bits >>> 52) & 0x7ff) == 0x7ff) {
                        bits = nextLong();
                    }
                    return Double.longBitsToDouble(bits);
                }
                case 1 -> {
                    int digits = (int) below(17) + 1;
                    BigInteger mantissa = new BigInteger(Long.toUnsignedString(nextLong())).mod(BigInteger.TEN.pow(digits));
                    int exponent = (int) below(661) - 340;
                    String sign = (nextLong() & 1) != 0 ? "-" : "";
                    return Double.parseDouble(sign + mantissa + "e" + exponent);
                }
                case 2 -> {
                    long shift = below(64);
                    return new BigDecimal(new BigInteger(Long.toUnsignedString(nextLong() >>> shift))).doubleValue();
                }
                default -> {
                    long[] exponents = {0, 1, 0x7fe, 0x7fd};
                    long exponent = exponents[(int) below(4)];
                    long sign = nextLong() & 1;
                    return Double.longBitsToDouble((sign << 63) | (exponent << 52) | (nextLong() & ((1L << 52) - 1)));
                }
            }
        }
    }
}
