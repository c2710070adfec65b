package gov.hms.pipeline.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.ingest.PolicyParser;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.camel.ExchangeProperty;

/**
 * Checks a parsed policy against the policy JSON Schema (draft 2020-12, networknt validator,
 * format assertions on) and the rules a schema cannot express: {@code expiresAt} after
 * {@code effectiveDate}, and an {@code id} that matches {@value #ID_PATTERN_TEXT} whatever the
 * configured schema says (it appears in file names, URLs and headers, so it must never name a
 * path). Every problem is reported at once, each at its JSON Pointer (RFC 6901).
 * <p>
 * The schema is {@code pipeline.validation.schema} if set, else the shipped
 * {@code policy.schema.json} from the classpath; it is loaded once, at start-up, and a broken
 * schema stops the service from starting rather than letting every policy through.
 */
@ApplicationScoped
@Startup
@Named("policyValidator")
public class PolicyValidator {

    static final String ID_PATTERN_TEXT = "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$";

    /** The contract's safe policy id: no slash, no leading dot, at most 128 characters. */
    public static final Pattern ID_PATTERN = Pattern.compile(ID_PATTERN_TEXT);

    private static final String SHIPPED_SCHEMA = "policy.schema.json";

    private final JsonSchema schema;

    public PolicyValidator(PipelineConfig config) {
        this.schema = load(config.validation().schema());
    }

    /**
     * @param policy     the parsed policy (a JSON object)
     * @param deployment receives the policy's id and version once they are known to be valid
     * @throws PolicyRejectedException 422 "Validation failed" with every error found
     */
    public void validate(JsonNode policy, @ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        Set<ValidationError> errors = new LinkedHashSet<>();
        for (ValidationMessage message : schema.validate(policy)) {
            errors.add(toError(message));
        }
        JsonNode id = policy.get("id");
        boolean idReported = errors.stream().anyMatch(e -> e.path().equals("/id"));
        if (!idReported && (id == null || !id.isTextual() || !isSafeId(id.asText()))) {
            errors.add(new ValidationError("/id", "must be a string of 1 to 128 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit"));
        }
        checkContractRules(policy, errors);
        checkExpiryAfterEffectiveDate(policy, errors);
        if (!errors.isEmpty()) {
            throw new PolicyRejectedException(422, "Validation failed", new ArrayList<>(errors));
        }
        deployment.identify(id.asText(), versionLabel(policy.get("version")));
    }

    /**
     * The version's label: a string as written; a number (the schema lets only whole numbers from 1
     * through) by its integer, however it is written ({@code 1e2} and {@code 100.0} are {@code 100}),
     * so the version rules compare like with like.
     */
    static String versionLabel(JsonNode version) {
        if (version == null || version.isNull()) {
            return null;
        }
        if (version.isNumber()) {
            try {
                return version.decimalValue().stripTrailingZeros().toBigIntegerExact().toString();
            } catch (ArithmeticException notWhole) {
                return version.asText();
            }
        }
        return version.asText();
    }

    /** Whether {@code id} is a safe policy id (see {@link #ID_PATTERN}); {@code null} is not. */
    public static boolean isSafeId(String id) {
        return id != null && ID_PATTERN.matcher(id).matches();
    }

    private static ValidationError toError(ValidationMessage message) {
        String path = message.getInstanceLocation().toString();
        if ("required".equals(message.getType()) && message.getProperty() != null) {
            // A missing field is reported where it should have been, not at its parent.
            String property = message.getProperty();
            return new ValidationError(path + "/" + PolicyParser.escapePointer(property),
                    "'" + property + "' is required");
        }
        return new ValidationError(path, withoutLocation(message));
    }

    /** networknt prefixes messages with the instance location; the path is reported separately. */
    private static String withoutLocation(ValidationMessage message) {
        String text = message.getMessage();
        String prefix = message.getInstanceLocation().toString() + ": ";
        return text.startsWith(prefix) ? text.substring(prefix.length()) : text;
    }

    private static void checkExpiryAfterEffectiveDate(JsonNode policy, Set<ValidationError> errors) {
        Optional<Instant> effective = instant(policy.get("effectiveDate"));
        Optional<Instant> expires = instant(policy.get("expiresAt"));
        if (effective.isPresent() && expires.isPresent() && !expires.get().isAfter(effective.get())) {
            errors.add(new ValidationError("/expiresAt", "must be after effectiveDate ("
                    + policy.get("effectiveDate").asText() + ")"));
            return;
        }
        // A revision that would expire before it goes live would never be withdrawn (bug hunt).
        Optional<Instant> activates = instant(policy.get("activateAt"));
        if (activates.isPresent() && expires.isPresent() && !expires.get().isAfter(activates.get())) {
            errors.add(new ValidationError("/expiresAt", "must be after activateAt ("
                    + policy.get("activateAt").asText() + ")"));
        }
    }

    /** An RFC 3339 date (start of that day, UTC) or date-time; empty if absent or unreadable. */
    static Optional<Instant> instant(JsonNode value) {
        return value == null || !value.isTextual() ? Optional.empty() : Rfc3339.instant(value.asText());
    }

    /**
     * The contract's rules the service itself relies on, enforced whatever a replaced schema says (as the
     * id is): {@code title} and {@code content} are strings that are not blank in ECMA-262's sense
     * ({@link EcmaScriptWhiteSpace}), and the times it reads ({@code approval.approvedAt} becomes the
     * manifest's {@code createdAt}) are RFC 3339 ({@link Rfc3339}). A path the schema already reported is
     * not reported twice.
     */
    private static void checkContractRules(JsonNode policy, Set<ValidationError> errors) {
        for (String field : List.of("title", "content")) {
            JsonNode value = policy.get(field);
            if (value != null && value.isTextual() && EcmaScriptWhiteSpace.isBlank(value.asText())) {
                reportOnce(errors, "/" + field, "must not be blank");
            }
        }
        for (String field : List.of("effectiveDate", "expiresAt")) {
            JsonNode value = policy.get(field);
            if (value != null && value.isTextual() && instant(value).isEmpty()) {
                reportOnce(errors, "/" + field, "must be an RFC 3339 date (\"2024-10-01\") or date-time (\"2024-10-01T08:00:00Z\")");
            }
        }
        JsonNode activateAt = policy.get("activateAt");
        if (activateAt != null && !(activateAt.isTextual() && Rfc3339.isDateTime(activateAt.asText()))) {
            // A scheduled instant must name one instant: a date-time with its offset, never a bare date.
            reportOnce(errors, "/activateAt", "must be an RFC 3339 date-time with offset such as \"2025-01-01T00:00:00+01:00\"");
        }
        JsonNode approvedAt = policy.path("approval").path("approvedAt");
        if (approvedAt.isTextual() && !Rfc3339.isDateTime(approvedAt.asText())) {
            reportOnce(errors, "/approval/approvedAt", "must be an RFC 3339 date-time such as \"2024-09-12T14:30:00Z\"");
        }
    }

    private static void reportOnce(Set<ValidationError> errors, String path, String message) {
        if (errors.stream().noneMatch(e -> e.path().equals(path))) {
            errors.add(new ValidationError(path, message));
        }
    }

    private static JsonSchema load(Optional<Path> configured) {
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .formatAssertionsEnabled(true)
                .errorMessageKeyword("message")
                .build();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        try {
            if (configured.isPresent()) {
                Path file = configured.get();
                try (InputStream in = Files.newInputStream(file)) {
                    JsonSchema loaded = factory.getSchema(in, config);
                    Log.infof("policy schema: %s", file.toAbsolutePath());
                    return loaded;
                }
            }
            try (InputStream in = PolicyValidator.class.getClassLoader().getResourceAsStream(SHIPPED_SCHEMA)) {
                if (in == null) {
                    throw new IllegalStateException("the shipped " + SHIPPED_SCHEMA + " is missing from the classpath");
                }
                Log.info("policy schema: the shipped policy.schema.json");
                return factory.getSchema(in, config);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the policy schema " + configured.orElse(Path.of(SHIPPED_SCHEMA)), e);
        }
    }
}
