package gov.hms.pipeline.validation;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.api.Deployment;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.ExchangeProperty;

/**
 * Checks a parsed policy against the contract: {@code id}, {@code title} and {@code content} are
 * required non-blank strings, and {@code id} matches {@value #ID_PATTERN_TEXT} (it appears in
 * file names, URLs and headers, so it must never be able to name a path). Every problem is
 * reported at once, each at its JSON Pointer (RFC 6901).
 */
@ApplicationScoped
@Named("policyValidator")
public class PolicyValidator {

    static final String ID_PATTERN_TEXT = "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$";

    /** The contract's safe policy id: no slash, no leading dot, at most 128 characters. */
    public static final Pattern ID_PATTERN = Pattern.compile(ID_PATTERN_TEXT);

    private static final List<String> REQUIRED = List.of("id", "title", "content");

    /**
     * @param policy     the parsed policy (a JSON object)
     * @param deployment receives the policy's id and version once they are known to be valid
     * @throws PolicyRejectedException 422 "Validation failed" with every error found
     */
    public void validate(JsonNode policy, @ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        List<ValidationError> errors = new ArrayList<>();
        for (String field : REQUIRED) {
            JsonNode value = policy.get(field);
            if (value == null || value.isNull()) {
                errors.add(new ValidationError("/" + field, "'" + field + "' is required"));
            } else if (!value.isTextual()) {
                errors.add(new ValidationError("/" + field, "'" + field + "' must be a string"));
            } else if (value.asText().isBlank()) {
                errors.add(new ValidationError("/" + field, "'" + field + "' must not be blank"));
            }
        }
        JsonNode id = policy.get("id");
        if (id != null && id.isTextual() && !id.asText().isBlank() && !isSafeId(id.asText())) {
            errors.add(new ValidationError("/id", "'id' must match " + ID_PATTERN_TEXT
                    + " (letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128)"));
        }
        if (!errors.isEmpty()) {
            throw new PolicyRejectedException(422, "Validation failed", errors);
        }
        JsonNode version = policy.get("version");
        deployment.identify(id.asText(), version == null || version.isNull() ? null : version.asText());
    }

    /** Whether {@code id} is a safe policy id (see {@link #ID_PATTERN}); {@code null} is not. */
    public static boolean isSafeId(String id) {
        return id != null && ID_PATTERN.matcher(id).matches();
    }
}
