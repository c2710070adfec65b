package gov.hms.pipeline.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 9110 section 10.2.3: delay-seconds or HTTP-date (all three date forms of section 5.6.7). */
class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

    @Test
    void delaySecondsAreSeconds() {
        assertThat(RetryAfter.parse("2", NOW)).contains(Duration.ofSeconds(2));
        assertThat(RetryAfter.parse(" 120 ", NOW)).contains(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse("0", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("99999999999999999999", NOW)).hasValueSatisfying(d -> assertThat(d).isGreaterThan(Duration.ofDays(365)));
    }

    @Test
    void imfFixdateIsTheWaitUntilThen() {
        String inThirtySeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(30).atOffset(ZoneOffset.UTC))
                .replace("+0000", "GMT");
        assertThat(RetryAfter.parse(inThirtySeconds, NOW)).contains(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("Sun, 29 Nov 2026 10:01:00 GMT", NOW)).contains(Duration.ofMinutes(1));
    }

    @Test
    void obsoleteDateFormsAreAcceptedAndThePastMeansNow() {
        assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("Sun Nov  6 08:49:37 1994", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).contains(Duration.ZERO);
    }

    @Test
    void anythingElseIsIgnored() {
        assertThat(RetryAfter.parse(null, NOW)).isEmpty();
        assertThat(RetryAfter.parse("", NOW)).isEmpty();
        assertThat(RetryAfter.parse("-5", NOW)).isEmpty();
        assertThat(RetryAfter.parse("1.5", NOW)).isEmpty();
        assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
    }

    @Test
    void headerNameIsCaseInsensitive() {
        assertThat(RetryAfter.headerValue(Map.of("retry-after", "3"))).isEqualTo("3");
        assertThat(RetryAfter.headerValue(Map.of("RETRY-AFTER", "4"))).isEqualTo("4");
        assertThat(RetryAfter.headerValue(Map.of("Content-Type", "text/plain"))).isNull();
        assertThat(RetryAfter.headerValue(null)).isNull();
    }
}
