package gov.hms.pipeline.validation;

import java.util.List;

/**
 * A policy that can never be deployed as sent (a permanent failure: retrying cannot help).
 * Carries the HTTP status the caller is answered with: 400 unreadable, 413 too large,
 * 415 not JSON, 422 readable but invalid.
 */
public class PolicyRejectedException extends RuntimeException {

    private final int httpStatus;
    private final List<ValidationError> errors;

    public PolicyRejectedException(int httpStatus, String message, List<ValidationError> errors) {
        super(message);
        this.httpStatus = httpStatus;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public PolicyRejectedException(int httpStatus, String message) {
        this(httpStatus, message, List.of());
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** Each problem with its JSON Pointer; empty when the document could not be read at all. */
    public List<ValidationError> errors() {
        return errors;
    }
}
