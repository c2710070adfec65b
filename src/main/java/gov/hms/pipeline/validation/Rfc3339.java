package gov.hms.pipeline.validation;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * RFC 3339 section 5.6 {@code full-date} and {@code date-time}, as JSON Schema 2020-12's {@code date}
 * and {@code date-time} formats mean them: the separator is {@code T} (or {@code t}, section 5.6's
 * note), never a space (the note allows one only "for the sake of readability" in other protocols);
 * the offset is {@code Z}, {@code z} or {@code +hh:mm}; a leap second {@code :60} is allowed.
 * <p>
 * Why own code: {@code OffsetDateTime.parse} refuses the lower-case letters RFC 3339 allows (section
 * 5.6: "may alternatively be lower case") and the leap second, and the networknt validator's
 * {@code date-time} format accepts a space.
 */
public final class Rfc3339 {

    private static final Pattern FULL_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern DATE_TIME = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})");

    private Rfc3339() {
    }

    /** @return whether {@code text} is an RFC 3339 {@code date-time}, e.g. {@code 2024-09-12T14:30:00Z} */
    public static boolean isDateTime(String text) {
        return dateTime(text).isPresent();
    }

    /**
     * @return the instant of an RFC 3339 {@code date-time}, or of the start (UTC) of a {@code full-date};
     *         empty if {@code text} is neither
     */
    public static Optional<Instant> instant(String text) {
        if (text != null && FULL_DATE.matcher(text).matches()) {
            try {
                return Optional.of(LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant());
            } catch (DateTimeException invalidDate) {
                return Optional.empty();
            }
        }
        return dateTime(text);
    }

    private static Optional<Instant> dateTime(String text) {
        if (text == null || !DATE_TIME.matcher(text).matches()) {
            return Optional.empty();
        }
        String upper = text.toUpperCase(Locale.ROOT);
        boolean leapSecond = upper.startsWith("60", 17);
        if (leapSecond) {
            // 23:59:60 names the last second of a day with a leap second; its instant is taken as :59.
            upper = upper.substring(0, 17) + "59" + upper.substring(19);
        }
        try {
            OffsetDateTime parsed = OffsetDateTime.parse(upper);
            OffsetDateTime utc = parsed.withOffsetSameInstant(ZoneOffset.UTC);
            if (leapSecond && (utc.getHour() != 23 || utc.getMinute() != 59)) {
                return Optional.empty(); // leap seconds are inserted at the end of a UTC day (section 5.7)
            }
            return Optional.of(parsed.toInstant());
        } catch (DateTimeException invalid) {
            return Optional.empty();
        }
    }
}
