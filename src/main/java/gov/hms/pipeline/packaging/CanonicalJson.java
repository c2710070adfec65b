package gov.hms.pipeline.packaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * RFC 8785 JSON Canonicalization Scheme (sorted keys, ECMAScript number form, minimal escapes,
 * UTF-8) and SHA-256, the two primitives every hash of this service is built from.
 */
public final class CanonicalJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CanonicalJson() {
    }

    /**
     * @return the RFC 8785 canonical form of {@code node} (an object or array), UTF-8 encoded
     * @throws UncheckedIOException if {@code node} cannot be canonicalized
     */
    public static byte[] canonicalize(JsonNode node) {
        try {
            return new JsonCanonicalizer(MAPPER.writeValueAsString(node)).getEncodedUTF8();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the RFC 8785 canonical form of any value Jackson can turn into an object or array */
    public static byte[] canonicalize(Object value) {
        return canonicalize(MAPPER.valueToTree(value));
    }

    /** @return lower-case hex SHA-256 (FIPS 180-4) of {@code bytes}, 64 characters */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256(bytes));
    }

    /** @return the SHA-256 digest of {@code bytes}, 32 bytes */
    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    /** @return lower-case hex SHA-256 of the UTF-8 bytes of {@code text} */
    public static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }
}
