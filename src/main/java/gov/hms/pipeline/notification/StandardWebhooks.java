package gov.hms.pipeline.notification;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signatures per the Standard Webhooks specification (standardwebhooks.com, "Signature scheme"):
 * {@code webhook-signature: v1,<base64 HMAC-SHA256(secret, id + "." + timestamp + "." + body)>},
 * where the secret is the base64 part of {@code whsec_<base64>}.
 */
public final class StandardWebhooks {

    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";

    private static final String SECRET_PREFIX = "whsec_";

    private StandardWebhooks() {
    }

    /**
     * @param secret    {@code whsec_<base64>} (the prefix is optional)
     * @param messageId the {@code webhook-id} value
     * @param timestamp the {@code webhook-timestamp} value, seconds since the Unix epoch
     * @param body      the exact request body
     * @return the {@code webhook-signature} header value, {@code v1,<base64>}
     * @throws IllegalArgumentException if the secret is not base64
     */
    public static String sign(String secret, String messageId, long timestamp, byte[] body) {
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        byte[] key = Base64.getDecoder().decode(encoded);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
