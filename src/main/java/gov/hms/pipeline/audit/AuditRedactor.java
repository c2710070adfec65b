package gov.hms.pipeline.audit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it enters the audit log (NIST SP 800-53 AU-3: content, but never
 * authenticators). Applied to every text field of every record, whoever built it, so an error
 * message that quotes a URL, a header or a response body cannot smuggle one in:
 * <ul>
 * <li>credentials in URLs ({@code https://user:pass@host}) and secret-looking query parameters;</li>
 * <li>{@code Authorization}/{@code Cookie}/{@code Set-Cookie}/signature/API-key header values and
 * {@code Bearer}/{@code Basic} credentials;</li>
 * <li>Standard Webhooks secrets ({@code whsec_…}) and signatures ({@code v1,…}), and JWTs;</li>
 * <li>every configured secret, verbatim.</li>
 * </ul>
 * Each is replaced by {@value #MASK}.
 */
final class AuditRedactor {

    static final String MASK = "***";

    private static final String SECRET_NAMES = "authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key"
            + "|apikey|webhook-signature|x-[a-z0-9-]*signature|signature|x-[a-z0-9-]*token|password|passwd|secret";

    /**
     * Each pattern with a cheap test its match needs (a literal it cannot match without), so the
     * ordinary text of most fields skips the regular expressions: they were the audit writer's top
     * CPU cost (BENCHMARKS.md). A test may let through text the pattern then does not match; it must
     * never stop text the pattern would match. {@code lower} is the text in lower case (Locale.ROOT).
     */
    private record Rule(Pattern pattern, BiPredicate<String, String> mayMatch) {
    }

    private static final List<String> SECRET_NAME_WORDS = List.of("authorization", "cookie", "api-key", "apikey",
            "signature", "token", "password", "passwd", "secret");
    private static final List<String> SECRET_PARAMETER_WORDS = List.of("authorization", "cookie", "api-key", "apikey",
            "api_key", "sig", "token", "password", "passwd", "secret", "pwd");
    private static final List<String> AUTH_SCHEMES = List.of("bearer", "basic", "digest", "negotiate");

    private static final List<Rule> RULES = List.of(
            // Standard Webhooks secrets and signatures, JSON Web Tokens, credentials after an auth scheme.
            new Rule(Pattern.compile("(whsec_)([A-Za-z0-9+/=]+)"), (text, lower) -> text.contains("whsec_")),
            new Rule(Pattern.compile("(\\bv1[,=])([A-Za-z0-9+/]{20,}={0,2})"),
                    (text, lower) -> text.contains("v1,") || text.contains("v1=")),
            new Rule(Pattern.compile("()(\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*)"),
                    (text, lower) -> text.contains("eyJ")),
            new Rule(Pattern.compile("(?i)(\\b(?:bearer|basic|digest|negotiate)\\s+)([A-Za-z0-9._~+/=-]{4,})"),
                    (text, lower) -> containsAny(lower, AUTH_SCHEMES)),
            // "Name: value" (a header line, or JSON "name":"value"): the value to the line's end or quote.
            new Rule(Pattern.compile("(?i)(\\b(?:" + SECRET_NAMES + ")\\b\"?\\s*:\\s*\"?)([^\\r\\n\"]+)"),
                    (text, lower) -> text.indexOf(':') >= 0 && containsAny(lower, SECRET_NAME_WORDS)),
            // "name=value": the value to the next separator.
            new Rule(Pattern.compile("(?i)(\\b(?:" + SECRET_NAMES + "|access_token|id_token|token|api_key|client_secret"
                    + "|pwd|sig)=)([^\\s&,;\"#]+)"),
                    (text, lower) -> text.indexOf('=') >= 0 && containsAny(lower, SECRET_PARAMETER_WORDS)),
            // user:password@ in URLs.
            new Rule(Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://)([^/\\s@\"]+)(?=@)"),
                    (text, lower) -> text.contains("://") && text.indexOf('@') >= 0));

    private final List<String> secrets;

    /** @param secrets configured secrets to remove wherever they appear (blank ones are ignored) */
    AuditRedactor(Collection<String> secrets) {
        List<String> known = new ArrayList<>();
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 6) {
                known.add(secret);
                if (secret.startsWith("whsec_")) {
                    known.add(secret.substring("whsec_".length()));
                }
            }
        }
        // Longest first, so a secret that contains another is removed whole.
        known.sort((a, b) -> b.length() - a.length());
        this.secrets = List.copyOf(known);
    }

    /** @return {@code text} without secrets; {@code null} stays {@code null} */
    String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        // Computed once: a mask ("***") never creates a literal, so the stale copy only lets more through.
        String lower = result.toLowerCase(Locale.ROOT);
        for (Rule rule : RULES) {
            if (!rule.mayMatch().test(result, lower)) {
                continue;
            }
            Matcher matcher = rule.pattern().matcher(result);
            if (matcher.find()) {
                result = matcher.replaceAll(match -> Matcher.quoteReplacement(match.group(1) + MASK));
            }
        }
        return result;
    }

    private static boolean containsAny(String lower, List<String> words) {
        for (String word : words) {
            if (lower.contains(word)) {
                return true;
            }
        }
        return false;
    }
}
