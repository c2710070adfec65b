package gov.hms.pipeline.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.packaging.CanonicalJson;
import gov.hms.pipeline.validation.PolicyRejectedException;
import gov.hms.pipeline.validation.ValidationError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.camel.ExchangeProperty;

/**
 * Turns the raw bytes of a policy into a JSON tree, refusing hostile input while parsing and
 * before anything else looks at it: size, nesting depth, string length, duplicate keys
 * (so no later step can validate one value and deliver another), trailing content, and what is
 * not I-JSON ({@link IJsonRules}: lone surrogates, numbers that name no single IEEE 754 double),
 * because the policy's hash is taken over its RFC 8785 canonical form.
 * The one parser of every way in: HTTP, inbox and queue.
 * Accepts UTF-8 with or without a byte order mark (and UTF-16/32 with one, as Jackson detects).
 */
@ApplicationScoped
@Named("policyParser")
public class PolicyParser {

    private final PipelineConfig.Validation limits;
    private final ObjectMapper mapper;

    public PolicyParser(PipelineConfig config) {
        this.limits = config.validation();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxDepth())
                        .maxStringLength(limits.maxStringLength())
                        .maxNumberLength(1000)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                .build();
    }

    /**
     * Reads the deployment's policy from {@code body} and records it on the deployment.
     *
     * @param body       the policy as sent: JSON text, UTF-8 (a byte order mark is allowed)
     * @param deployment the deployment whose {@code declaredContentType} is checked first
     * @return the parsed policy, a JSON object
     * @throws PolicyRejectedException 415 if the sender declared a media type other than JSON (an inbox
     *                                  entry that is not a regular file: "Not a regular file (inode/fifo)"),
     *                                  413 above {@code pipeline.validation.max-bytes}, 400 if empty, not
     *                                  well-formed JSON or holding a number no decimal can hold (an exponent
     *                                  beyond a 32-bit int, "Malformed JSON: number out of range"), 422 if not an object or not I-JSON (RFC 7493 sections 2.1, 2.2)
     */
    public JsonNode parse(byte[] body, @ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        requireJsonMediaType(deployment.declaredContentType(), deployment.source());
        if (body == null || isBlank(body)) {
            throw new PolicyRejectedException(400, "empty payload");
        }
        if (body.length > limits.maxBytes()) {
            throw new PolicyRejectedException(413, "Payload too large: " + body.length
                    + " bytes, the limit is " + limits.maxBytes() + " bytes");
        }
        JsonNode tree;
        List<ValidationError> iJsonErrors;
        try {
            tree = mapper.readTree(body);
            if (tree != null && tree.isObject()) {
                iJsonErrors = IJsonRules.check(tree);
            } else {
                iJsonErrors = List.of();
            }
        } catch (NumberFormatException e) {
            // Jackson parses a number's text into a BigDecimal only when asked (while reading the tree or when
            // IJsonRules asks for its value), and BigDecimal's exponent is an int: "1e" and 100 nines is valid
            // JSON grammar (RFC 8259 section 6) that no decimal can hold, so it is refused as malformed input.
            throw new PolicyRejectedException(400, "Malformed JSON: number out of range: " + numberFailure(e));
        } catch (StreamConstraintsException e) {
            throw new PolicyRejectedException(400, "Input exceeds a parsing limit: " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new PolicyRejectedException(400, "Malformed JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new PolicyRejectedException(400, "Malformed JSON: " + firstLine(e.getMessage()));
        }
        if (tree == null || tree.isMissingNode()) {
            throw new PolicyRejectedException(400, "empty payload");
        }
        if (!tree.isObject()) {
            throw new PolicyRejectedException(422, "Validation failed",
                    List.of(new ValidationError("", "a policy must be a JSON object")));
        }
        if (!iJsonErrors.isEmpty()) {
            throw new PolicyRejectedException(422, "Validation failed", iJsonErrors);
        }
        deployment.policy(tree);
        return tree;
    }

    private static void requireJsonMediaType(String contentType, Source source) {
        if (contentType == null) {
            return;
        }
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (source == Source.FILE && mediaType.startsWith("inode/")) {
            // The inbox declares an entry that is not a regular file by its inode type (shared-mime-info).
            throw new PolicyRejectedException(415, "Not a regular file (" + mediaType + "): the inbox reads only"
                    + " regular files, so it did not open this one (a symbolic link is never followed)");
        }
        boolean json = mediaType.equals("application/json")
                || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
        if (!json) {
            throw new PolicyRejectedException(415,
                    "Unsupported media type '" + mediaType + "': send the policy as application/json");
        }
    }

    /**
     * UTF-8 of JSON text held in Java (a queue's text message, the Java API). A lone surrogate has no UTF-8
     * form ({@code String.getBytes} writes {@code ?}, which gave two policies one hash): it is written as
     * its JSON escape instead, so {@link #parse} refuses it at its JSON Pointer like every other way in.
     */
    public static byte[] utf8(String json) {
        return CanonicalJson.escapeLoneSurrogates(json).getBytes(StandardCharsets.UTF_8);
    }

    /** RFC 6901 section 3: '~' becomes "~0" and '/' becomes "~1". */
    public static String escapePointer(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                // A lone UTF-8 byte order mark is blank too.
                return isUtf8BomOnly(body);
            }
        }
        return true;
    }

    private static boolean isUtf8BomOnly(byte[] body) {
        if (body.length < 3 || body[0] != (byte) 0xEF || body[1] != (byte) 0xBB || body[2] != (byte) 0xBF) {
            return false;
        }
        for (int i = 3; i < body.length; i++) {
            byte b = body[i];
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /** Jackson's reason without the number itself (up to 1000 digits): "Too many nonzero exponent digits." */
    private static String numberFailure(NumberFormatException e) {
        String message = firstLine(e.getMessage());
        int reason = message.lastIndexOf("reason:");
        return reason < 0 ? message : message.substring(reason + "reason:".length()).trim();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable input";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
