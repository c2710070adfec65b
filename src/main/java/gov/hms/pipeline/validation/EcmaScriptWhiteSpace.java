package gov.hms.pipeline.validation;

import java.util.regex.Pattern;

/**
 * "Blank" as JSON Schema means it: a schema {@code pattern} is an ECMA-262 regular expression
 * (JSON Schema 2020-12 validation, section 6.3.3), whose {@code \s} is ECMA-262 WhiteSpace and
 * LineTerminator (sections 12.2 and 12.3): TAB, VT, FF, SP, U+00A0, U+FEFF, every Zs character
 * (U+1680, U+2000..U+200A, U+202F, U+205F, U+3000), LF, CR, U+2028 and U+2029.
 * <p>
 * Java's {@code \s} and {@code String.isBlank()} differ (neither counts U+00A0 or U+202F; the latter
 * counts U+001C..U+001F), and so does the networknt validator, which runs patterns with
 * {@code java.util.regex}. Hence {@link #NOT_BLANK}: one explicit class that reads the same in both
 * dialects, used by the shipped schema and by {@link #isBlank(String)}.
 */
public final class EcmaScriptWhiteSpace {

    /** Matches any string holding a character that is not ECMA-262 white space: the schema's non-blank pattern. */
    public static final String NOT_BLANK =
            "[^\\u0009-\\u000d\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]";

    private static final Pattern NON_WHITE_SPACE = Pattern.compile(NOT_BLANK);

    private EcmaScriptWhiteSpace() {
    }

    /** @return whether {@code text} is empty or only ECMA-262 white space and line terminators */
    public static boolean isBlank(String text) {
        return !NON_WHITE_SPACE.matcher(text).find();
    }
}
