package gov.hms.pipeline.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class VersionPrecedenceTest {

    @Test
    void semverPrecedenceWhenBothParse() {
        assertThat(VersionPrecedence.compare("1.0.0", "1.1.0")).contains(-1);
        assertThat(VersionPrecedence.compare("1.10.0", "1.9.0")).contains(1);
        assertThat(VersionPrecedence.compare("1.0.0-rc.1", "1.0.0")).contains(-1);
        assertThat(VersionPrecedence.compare("1.0.0-alpha", "1.0.0-alpha.1")).contains(-1);
        assertThat(VersionPrecedence.compare("1.0.0+build.1", "1.0.0+build.2")).contains(0);
    }

    @Test
    void plainIntegersAsNumbers() {
        assertThat(VersionPrecedence.compare("9", "10")).contains(-1);
        assertThat(VersionPrecedence.compare("12345678901234567890", "12345678901234567891")).contains(-1);
        assertThat(VersionPrecedence.compare("3", "3")).contains(0);
    }

    @Test
    void noOrderBetweenLabelsOfDifferentKinds() {
        assertThat(VersionPrecedence.compare("2024-01", "v2")).isEqualTo(Optional.empty());
        assertThat(VersionPrecedence.compare("1.0.0", "2")).isEqualTo(Optional.empty());
        assertThat(VersionPrecedence.compare(null, "1.0.0")).isEqualTo(Optional.empty());
        assertThat(VersionPrecedence.compare("01", "1")).isEqualTo(Optional.empty());
    }

    @Test
    void sameVersionIsEqualTextOrEqualPrecedence() {
        assertThat(VersionPrecedence.same("draft", "draft")).isTrue();
        assertThat(VersionPrecedence.same("1.0.0+a", "1.0.0+b")).isTrue();
        assertThat(VersionPrecedence.same("1.0.0", "1.0.1")).isFalse();
        assertThat(VersionPrecedence.same(null, null)).isFalse();
    }
}
