package gov.hms.pipeline.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * RFC 8785 JSON Canonicalization Scheme (members sorted by UTF-16 code units, ECMAScript number form,
 * minimal escapes, no white space, UTF-8) and SHA-256, the two primitives every hash of this service is
 * built from.
 * <p>
 * Written over Jackson's tree rather than with java-json-canonicalization 1.1, which wrote some doubles
 * wrongly ({@code 1e-320}, see {@link EcmaScriptNumber}) and turned a lone surrogate into {@code ?}, so
 * two different documents could share one hash. A lone surrogate has no UTF-8 form: it is refused here
 * (RFC 8785 section 3.2.2.2 requires valid Unicode), and refused with its JSON Pointer earlier, when a
 * policy is parsed ({@code IJsonRules}).
 */
public final class CanonicalJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CanonicalJson() {
    }

    /**
     * @return the RFC 8785 canonical form of {@code node}, UTF-8 encoded
     * @throws IllegalArgumentException if {@code node} holds a lone surrogate, NaN or an infinity
     */
    public static byte[] canonicalize(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        write(node, out);
        return out.toString().getBytes(StandardCharsets.UTF_8);
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

    /** @return the index of the first unpaired UTF-16 surrogate in {@code text}, or -1 if it is Unicode text */
    public static int loneSurrogateAt(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return {@code text} with each lone surrogate replaced by U+FFFD (Unicode section 3.9, "U+FFFD
     *         substitution"), for text the service writes itself (an audit record, a JSON Pointer) and so
     *         must be able to canonicalize; {@code null} stays {@code null}
     */
    public static String wellFormed(String text) {
        if (text == null || loneSurrogateAt(text) < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> out.appendCodePoint(Character.isSurrogate((char) cp) && cp <= 0xFFFF ? 0xFFFD : cp));
        return out.toString();
    }

    /**
     * @return {@code text} with each lone surrogate written as its JSON escape ({@code \}{@code ud800}), so
     *         JSON text can be UTF-8 encoded without loss and a message can name the code unit
     */
    public static String escapeLoneSurrogates(String text) {
        if (loneSurrogateAt(text) < 0) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                escaped.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                escaped.append(String.format("\\u%04x", (int) c));
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>(node.size());
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                names.sort(null); // String order is UTF-16 code unit order (RFC 8785 section 3.2.3)
                out.append('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    quote(names.get(i), out);
                    out.append(':');
                    write(node.get(names.get(i)), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> quote(node.textValue(), out);
            case NUMBER -> out.append(EcmaScriptNumber.toString(node.doubleValue()));
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("not JSON: " + node.getNodeType());
        }
    }

    /** RFC 8785 section 3.2.2.2: only the quote, the backslash and U+0000..U+001F are escaped (short forms, else lower-case hex). */
    private static void quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HexFormat.of().toHexDigits((byte) c));
                    } else if (Character.isSurrogate(c)) {
                        if (!Character.isHighSurrogate(c) || i + 1 == text.length()
                                || !Character.isLowSurrogate(text.charAt(i + 1))) {
                            throw new IllegalArgumentException(String.format(
                                    "a lone UTF-16 surrogate U+%04X has no UTF-8 form (RFC 8785 section 3.2.2.2)", (int) c));
                        }
                        out.append(c).append(text.charAt(++i));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
