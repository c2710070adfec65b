package gov.hms.pipeline.console;

import gov.hms.pipeline.config.PipelineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The console's CSRF tokens (OWASP CSRF Prevention Cheat Sheet, "Synchronizer token" in its
 * stateless HMAC form): a form carries {@code base64url(HMAC-SHA256(key, user "\n" window))}, where
 * {@code window} numbers the {@link #WINDOW}-long period the page was rendered in. A post is accepted
 * only with the token of its own authenticated user for this window or the one before, so a page
 * from another site, which can make the browser send the Basic credentials but cannot read a
 * console page, cannot post a form; a token leaks at most for two windows and one user.
 * <p>
 * Why not Quarkus' {@code quarkus-rest-csrf} (it resolves here): its filter applies to every REST
 * endpoint of the service, so it would also refuse the API's JSON and DELETE requests (or, relaxed,
 * still change the API's answers to form posts), and its double-submit cookie is not tied to the
 * user. Basic authentication has no session to keep a token in; the user name is the session.
 */
@ApplicationScoped
public class CsrfTokens {

    /** How long one window lasts; a token is accepted in its window and the next. */
    static final Duration WINDOW = Duration.ofHours(8);

    private static final String ALGORITHM = "HmacSHA256";
    private static final String SETTING = "pipeline.security.console-csrf-key";

    private final SecretKeySpec key;
    private final Clock clock;

    @Inject
    public CsrfTokens(PipelineConfig config) {
        this(config.security().consoleCsrfKey(), Clock.systemUTC());
    }

    /**
     * @param configuredKey base64 of at least 32 bytes; empty: a random key for this process
     * @throws IllegalArgumentException if the key is not base64 or shorter than 32 bytes
     */
    CsrfTokens(Optional<String> configuredKey, Clock clock) {
        byte[] bytes;
        if (configuredKey.isPresent()) {
            try {
                bytes = Base64.getDecoder().decode(configuredKey.get().trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(SETTING + " must be base64 (e.g. openssl rand -base64 32)", e);
            }
            if (bytes.length < 32) {
                throw new IllegalArgumentException(SETTING + " must hold at least 32 bytes, has " + bytes.length);
            }
        } else {
            bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
        }
        this.key = new SecretKeySpec(bytes, ALGORITHM);
        this.clock = clock;
    }

    /** The token the user's forms carry now. */
    public String tokenFor(String user) {
        return token(user, window());
    }

    /** Whether {@code token} is the user's token of this window or the one before (constant-time comparison). */
    public boolean accepts(String user, String token) {
        if (token == null || token.isEmpty()) {
            return false;
        }
        byte[] given = token.getBytes(StandardCharsets.US_ASCII);
        long window = window();
        boolean now = MessageDigest.isEqual(given, token(user, window).getBytes(StandardCharsets.US_ASCII));
        boolean before = MessageDigest.isEqual(given, token(user, window - 1).getBytes(StandardCharsets.US_ASCII));
        return now | before;
    }

    private long window() {
        return clock.instant().getEpochSecond() / WINDOW.toSeconds();
    }

    private String token(String user, long window) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            byte[] tag = mac.doFinal((user + "\n" + window).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
        }
    }
}
