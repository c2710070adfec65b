package gov.hms.pipeline.ledger;

import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Pattern;
import org.semver4j.Semver;

/**
 * The order of two policy {@code version} labels: SemVer 2.0.0 precedence (semver.org section 11,
 * via semver4j; build metadata is ignored) when both parse as SemVer, numeric order when both are
 * plain non-negative integers, and no order otherwise (e.g. {@code 2024-01} against {@code v2}):
 * labels that cannot be compared never refuse a deployment on their order alone.
 */
public final class VersionPrecedence {

    private static final Pattern INTEGER = Pattern.compile("0|[1-9][0-9]{0,99}");

    private VersionPrecedence() {
    }

    /**
     * @return negative, zero or positive as {@code a} precedes, equals or follows {@code b}; empty
     *         when either is {@code null} or the two cannot be compared
     */
    public static Optional<Integer> compare(String a, String b) {
        if (a == null || b == null) {
            return Optional.empty();
        }
        Semver semverA = Semver.parse(a);
        Semver semverB = Semver.parse(b);
        if (semverA != null && semverB != null) {
            return Optional.of(Integer.signum(semverA.compareTo(semverB)));
        }
        if (INTEGER.matcher(a).matches() && INTEGER.matcher(b).matches()) {
            return Optional.of(new BigInteger(a).compareTo(new BigInteger(b)));
        }
        return Optional.empty();
    }

    /** Whether the two labels name the same version: equal text, or equal precedence. */
    public static boolean same(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return a.equals(b) || compare(a, b).map(order -> order == 0).orElse(false);
    }
}
