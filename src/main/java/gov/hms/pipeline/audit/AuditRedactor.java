package gov.hms.pipeline.audit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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

    private static final List<Pattern> PATTERNS = List.of(
            // Standard Webhooks secrets and signatures, JSON Web Tokens, credentials after an auth scheme.
            Pattern.compile("(whsec_)([A-Za-z0-9+/=]+)"),
            Pattern.compile("(\\bv1[,=])([A-Za-z0-9+/]{20,}={0,2})"),
            Pattern.compile("()(\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*)"),
            Pattern.compile("(?i)(\\b(?:bearer|basic|digest|negotiate)\\s+)([A-Za-z0-9._~+/=-]{4,})"),
            // "Name: value" (a header line, or JSON "name":"value"): the value to the line's end or quote.
            Pattern.compile("(?i)(\\b(?:" + SECRET_NAMES + ")\\b\"?\\s*:\\s*\"?)([^\\r\\n\"]+)"),
            // "name=value": the value to the next separator.
            Pattern.compile("(?i)(\\b(?:" + SECRET_NAMES + "|access_token|id_token|token|api_key|client_secret|pwd|sig)"
                    + "=)([^\\s&,;\"#]+)"),
            // user:password@ in URLs.
            Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://)([^/\\s@\"]+)(?=@)"));

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
        for (Pattern pattern : PATTERNS) {
            Matcher matcher = pattern.matcher(result);
            if (matcher.find()) {
                result = matcher.replaceAll(match -> Matcher.quoteReplacement(match.group(1) + MASK));
            }
        }
        return result;
    }
}
