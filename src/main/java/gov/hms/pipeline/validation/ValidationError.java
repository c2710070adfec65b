package gov.hms.pipeline.validation;

/**
 * One thing wrong with a policy.
 *
 * @param path    where, as a JSON Pointer (RFC 6901); {@code ""} is the whole document
 * @param message what is wrong, for a person
 */
public record ValidationError(String path, String message) {
}
