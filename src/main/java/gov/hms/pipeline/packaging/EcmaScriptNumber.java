package gov.hms.pipeline.packaging;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * ECMA-262 {@code Number::toString(x)} for radix 10 (section 6.1.6.1.20), the number form of RFC 8785
 * section 3.2.2.3: the shortest decimal that reads back as the same IEEE 754 double, the closest to it
 * when several are as short (the even one on a tie), laid out as {@code 100000000000000000000},
 * {@code 0.000001}, {@code 1e+21} or {@code 1.5e-7}.
 * <p>
 * Why not {@code Double.toString}: before JDK 19 it is not always the shortest ({@code 1e23} comes out
 * as {@code 9.999999999999999E22}, JDK-4511638). The digits here come from Jackson's
 * {@link NumberOutput#toString(double, boolean)} with its fast writer, which is Raffaello Giulietti's
 * Schubfach, the algorithm of JDK 19+. One rule of that algorithm differs from ECMAScript: when a single
 * digit suffices it may keep two digits that are closer ({@code 4.9E-324}, where ECMAScript writes
 * {@code 5e-324}); {@link #oneDigitIfItReadsBack} applies ECMAScript's rule there. Tested against Node.js on
 * 100,000 doubles ({@code EcmaScriptNumberTest}). The library this service used before,
 * java-json-canonicalization 1.1, writes some subnormals wrongly ({@code 1e-320}).
 */
public final class EcmaScriptNumber {

    private EcmaScriptNumber() {
    }

    /**
     * @param value any finite double; {@code -0} is written {@code 0}
     * @return its ECMAScript text, e.g. {@code 1e+23}, {@code 0.1}, {@code 9007199254740992}
     * @throws IllegalArgumentException for NaN and the infinities, which JSON cannot hold
     */
    public static String toString(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(value + " has no JSON form (RFC 8785 section 3.2.2.3)");
        }
        if (value == 0) {
            return "0";
        }
        double magnitude = Math.abs(value);
        BigDecimal shortest = new BigDecimal(NumberOutput.toString(magnitude, true)).stripTrailingZeros();
        if (shortest.precision() == 2) {
            shortest = oneDigitIfItReadsBack(magnitude, shortest);
        }
        return (value < 0 ? "-" : "") + layout(shortest);
    }

    /**
     * ECMA-262 step 5 takes the fewest digits k; Schubfach (like JDK 19+) keeps 2 digits when 1 also reads
     * back but 2 are closer. Of the two 1-digit neighbours, those that read back as {@code magnitude} win,
     * the closer one first, the even one on a tie.
     */
    private static BigDecimal oneDigitIfItReadsBack(double magnitude, BigDecimal twoDigits) {
        BigDecimal down = twoDigits.round(new java.math.MathContext(1, RoundingMode.DOWN));
        BigDecimal up = twoDigits.round(new java.math.MathContext(1, RoundingMode.UP));
        boolean downReadsBack = down.doubleValue() == magnitude;
        boolean upReadsBack = up.doubleValue() == magnitude;
        if (downReadsBack && upReadsBack) {
            BigDecimal exact = new BigDecimal(magnitude);
            int closer = exact.subtract(down).abs().compareTo(up.subtract(exact).abs());
            if (closer != 0) {
                return closer < 0 ? down : up;
            }
            return down.unscaledValue().testBit(0) ? up : down;
        }
        return downReadsBack ? down : upReadsBack ? up : twoDigits;
    }

    /** ECMA-262 Number::toString steps 6 to 12 for a positive decimal with k digits and exponent n. */
    private static String layout(BigDecimal positive) {
        String digits = positive.unscaledValue().toString();
        int k = digits.length();
        int n = k - positive.scale(); // positive = 0.digits x 10^n
        StringBuilder out = new StringBuilder(26);
        if (k <= n && n <= 21) {
            out.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            int e = n - 1;
            out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return out.toString();
    }
}
