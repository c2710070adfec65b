package gov.hms.pipeline.packaging;

/**
 * A deployable artifact, as POSTed to a target. Immutable; the bytes are never changed after
 * packaging, so {@link #sha256()} always names them.
 *
 * @param format      {@code json} or {@code zip}
 * @param contentType the {@code Content-Type} it is delivered with
 * @param bytes       the package itself
 * @param sha256      lower-case hex SHA-256 of {@code bytes}
 */
public record PolicyPackage(String format, String contentType, byte[] bytes, String sha256) {

    public static final String JSON = "json";
    public static final String ZIP = "zip";

    public int size() {
        return bytes.length;
    }
}
