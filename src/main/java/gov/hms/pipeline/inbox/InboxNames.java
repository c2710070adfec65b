package gov.hms.pipeline.inbox;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Names of files moved out of the inbox: the original name with a UTC time suffix before its
 * extension ({@code policy.json} becomes {@code policy.20261129T091112345Z.json}), so a later file of
 * the same name never overwrites an earlier one. Names stay within the 255-byte limit of common file
 * systems (ext4, XFS, NTFS in UTF-16 units is more generous) by shortening the part before the suffix.
 */
final class InboxNames {

    /** Whether this JVM reads file names as UTF-8 (it takes the charset from the locale at start-up). */
    static final boolean JVM_FILE_NAMES_ARE_UTF8 = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));

    /** Longest file name, in bytes, that the common Linux file systems accept. */
    static final int MAX_NAME_BYTES = 255;

    /** Extensions longer than this are treated as part of the name. */
    private static final int MAX_EXTENSION_BYTES = 16;

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private InboxNames() {
    }

    /**
     * A path in {@code dir} for {@code name} stamped with {@code time} at which neither the file nor,
     * when {@code companionSuffix} is not empty, its companion ({@code <file name><companionSuffix>})
     * exists yet. A counter is added when the same name and millisecond are taken.
     *
     * @param dir             the done or failed folder
     * @param name            the original file name
     * @param time            when the file was settled
     * @param companionSuffix suffix of a file written beside it (e.g. {@code .error.json}), or empty
     */
    static Path uniqueIn(Path dir, String name, Instant time, String companionSuffix) {
        int dot = name.lastIndexOf('.');
        boolean hasExtension = dot > 0 && bytes(name.substring(dot)) <= MAX_EXTENSION_BYTES;
        String stem = hasExtension ? name.substring(0, dot) : name;
        String extension = hasExtension ? name.substring(dot) : "";
        String stamp = "." + STAMP.format(time);
        for (int n = 1; ; n++) {
            String tail = (n == 1 ? stamp : stamp + "-" + n) + extension;
            String candidate = shorten(stem, MAX_NAME_BYTES - bytes(tail + companionSuffix)) + tail;
            Path path = dir.resolve(candidate);
            if (!Files.exists(path) && (companionSuffix.isEmpty() || !Files.exists(dir.resolve(candidate + companionSuffix)))) {
                return path;
            }
        }
    }

    /** {@code text} cut at a code point boundary so that it takes at most {@code maxBytes} in UTF-8. */
    static String shorten(String text, int maxBytes) {
        if (bytes(text) <= maxBytes) {
            return text;
        }
        int end = text.length();
        while (end > 0 && bytes(text.substring(0, end)) > maxBytes) {
            end = text.offsetByCodePoints(end, -1);
        }
        return text.substring(0, end);
    }

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
