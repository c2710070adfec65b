package gov.hms.pipeline.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Retry-After} response header (RFC 9110 section 10.2.3): either {@code delay-seconds}
 * (a non-negative decimal integer) or an {@code HTTP-date}: IMF-fixdate, or the obsolete RFC 850
 * and asctime forms a recipient must also accept (RFC 9110 section 5.6.7). java.time parses them;
 * HttpClient's {@code DateUtils} was tried and misses asctime and full RFC 850 day names.
 */
public final class RetryAfter {

    public static final String HEADER = "Retry-After";

    private static final Pattern RFC_850 = Pattern.compile(
            "[A-Za-z]+, (\\d{2})-([A-Za-z]{3})-(\\d{2}) (\\d{2}:\\d{2}:\\d{2}) GMT");
    /** asctime ({@code Sun Nov 6 08:49:37 1994}, after spaces are collapsed); always UTC. */
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss uuuu", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC_850_REST = DateTimeFormatter.ofPattern("dd MMM uuuu HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private RetryAfter() {
    }

    /**
     * @param value the header value, may be {@code null}
     * @param now   the time the answer arrived, for an HTTP-date
     * @return how long the server asked to wait (zero for a date in the past), or empty when the
     *         header is absent or malformed (then the normal backoff applies)
     */
    public static Optional<Duration> parse(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        // asctime pads a one-digit day with a space ("Nov  6"); the ASCTIME pattern wants one.
        String text = value.trim().replaceAll("\\s+", " ");
        if (text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // More digits than a long holds is still "a very long time": the caller caps it.
            return Optional.of(text.length() > 12 ? Duration.ofSeconds(999_999_999_999L) : Duration.ofSeconds(Long.parseLong(text)));
        }
        Instant date = parseDate(text, now);
        if (date == null) {
            return Optional.empty();
        }
        Duration wait = Duration.between(now, date);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    }

    /** IMF-fixdate, else asctime, else RFC 850; {@code null} if none fits. */
    private static Instant parseDate(String text, Instant now) {
        for (DateTimeFormatter format : List.of(DateTimeFormatter.RFC_1123_DATE_TIME, ASCTIME)) {
            try {
                return ZonedDateTime.parse(text, format).toInstant();
            } catch (DateTimeParseException e) {
                // try the next form
            }
        }
        return parseRfc850(text, now);
    }

    /**
     * The obsolete RFC 850 form ({@code Sunday, 06-Nov-94 08:49:37 GMT}). A two-digit year that
     * would be more than 50 years ahead is the most recent past year with those digits
     * (RFC 9110 section 5.6.7).
     */
    private static Instant parseRfc850(String text, Instant now) {
        Matcher m = RFC_850.matcher(text);
        if (!m.matches()) {
            return null;
        }
        int thisYear = now.atOffset(ZoneOffset.UTC).getYear();
        int year = thisYear / 100 * 100 + Integer.parseInt(m.group(3));
        if (year > thisYear + 50) {
            year -= 100;
        }
        try {
            String imfFixdate = "%02d %s %d %s".formatted(Integer.parseInt(m.group(1)), m.group(2), year, m.group(4));
            return ZonedDateTime.parse(imfFixdate, RFC_850_REST).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Finds the header in a response-header map whose names may have any case (RFC 9110 section 5.1). */
    public static String headerValue(Map<String, ?> headers) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, ?> header : headers.entrySet()) {
            if (HEADER.equalsIgnoreCase(header.getKey()) && header.getValue() != null) {
                return header.getValue().toString();
            }
        }
        return null;
    }
}
