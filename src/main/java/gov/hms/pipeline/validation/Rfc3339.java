package gov.hms.pipeline.validation;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * RFC 3339 section 5.6 {@code full-date} and {@code date-time}, as JSON Schema 2020-12's {@code date}
 * and {@code date-time} formats mean them: the separator is {@code T} (or {@code t}, section 5.6's
 * note), never a space (the note allows one only "for the sake of readability" in other protocols);
 * the offset is {@code Z}, {@code z} or {@code +hh:mm} (hours up to 23); a leap second {@code :60} is
 * allowed; a fraction may have any number of digits (nanoseconds are kept).
 * <p>
 * Why own code: {@code OffsetDateTime.parse} refuses the lower-case letters RFC 3339 allows (section
 * 5.6: "may alternatively be lower case") and the leap second, and the networknt validator's
 * {@code date-time} format accepts a space.
 */
public final class Rfc3339 {

    private static final Pattern FULL_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern DATE_TIME = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})[Tt](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?(?:([Zz])|([+-])(\\d{2}):(\\d{2}))");

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

    /**
     * Computed from its fields rather than by {@code OffsetDateTime}, which refuses offsets beyond
     * 18 hours (section 5.6 allows up to 23:59) and fractions beyond 9 digits (section 5.6: any).
     */
    private static Optional<Instant> dateTime(String text) {
        java.util.regex.Matcher m = text == null ? null : DATE_TIME.matcher(text);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        int hour = Integer.parseInt(m.group(4));
        int minute = Integer.parseInt(m.group(5));
        int second = Integer.parseInt(m.group(6));
        int offsetMinutes = 0;
        if (m.group(8) == null) {
            int offsetHour = Integer.parseInt(m.group(10));
            int offsetMinute = Integer.parseInt(m.group(11));
            if (offsetHour > 23 || offsetMinute > 59) {
                return Optional.empty();
            }
            offsetMinutes = ("-".equals(m.group(9)) ? -1 : 1) * (offsetHour * 60 + offsetMinute);
        }
        if (hour > 23 || minute > 59 || second > 60) {
            return Optional.empty();
        }
        boolean leapSecond = second == 60;
        LocalDateTime local;
        try {
            local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), hour, minute, leapSecond ? 59 : second);
        } catch (DateTimeException invalidDate) {
            return Optional.empty();
        }
        String fraction = m.group(7) == null ? "" : m.group(7);
        int nanos = fraction.isEmpty() ? 0 : Integer.parseInt((fraction + "000000000").substring(0, 9));
        Instant instant = local.toInstant(ZoneOffset.UTC).minusSeconds(offsetMinutes * 60L).plusNanos(nanos);
        if (leapSecond) {
            // 23:59:60 names the last second of a day with a leap second (section 5.7), taken as :59;
            // leap seconds are inserted at the end of a UTC day.
            LocalDateTime utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
            if (utc.getHour() != 23 || utc.getMinute() != 59) {
                return Optional.empty();
            }
        }
        return Optional.of(instant);
    }
}
