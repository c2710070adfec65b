package gov.hms.pipeline.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cases after the JSON Schema test suite's date-time format tests (draft 2020-12). */
class Rfc3339Test {

    @ParameterizedTest
    @ValueSource(strings = {"2024-09-12T14:30:00Z", "2024-09-12t14:30:00z", "2024-09-12T14:30:00.123456+02:00",
            "1998-12-31T23:59:60Z", "1998-12-31T15:59:60.123-08:00", "2024-02-29T00:00:00-00:00"})
    void dateTimes(String text) {
        assertThat(Rfc3339.isDateTime(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-09-12 14:30:00Z", "2024-09-12_14:30:00Z", "2024-09-12T14:30:00", "2024-09-12T14:30Z",
            "2024-09-12T14:30:00+0200", "1998-12-31T22:59:60Z", "2023-02-29T00:00:00Z", "2024-09-12T24:00:00Z",
            "2024-09-12", "\u0662024-09-12T14:30:00Z", "2024-09-12T14:30:00Z "})
    void notDateTimes(String text) {
        assertThat(Rfc3339.isDateTime(text)).isFalse();
    }

    /** Bug hunt: section 5.6's time-numoffset allows hours 00-23, and time-secfrac any number of digits. */
    @ParameterizedTest
    @ValueSource(strings = {"2024-10-01T23:59:00+23:59", "2024-09-30T00:01:00-23:59", "2024-10-01T00:00:00.000000000000Z",
            "2024-10-01T00:00:00-00:00"})
    void offsetsUpToTwentyThreeHoursAndLongFractionsAreRfc3339(String text) {
        assertThat(Rfc3339.instant(text)).contains(Instant.parse("2024-10-01T00:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-01T00:00:00+24:00", "2024-10-01T00:00:00+02:60", "2024-10-01T00:60:00Z"})
    void offsetsAndTimesOutOfRangeAreNot(String text) {
        assertThat(Rfc3339.isDateTime(text)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-10-01", "2024-10-01T00:00:00Z", "2024-10-01t02:00:00+02:00"})
    void datesAndDateTimesGiveTheirInstant(String text) {
        assertThat(Rfc3339.instant(text)).contains(Instant.parse("2024-10-01T00:00:00Z"));
    }
}
