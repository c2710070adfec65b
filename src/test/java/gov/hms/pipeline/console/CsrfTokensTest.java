package gov.hms.pipeline.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CsrfTokensTest {

    static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    static CsrfTokens at(Instant instant, Optional<String> key) {
        return new CsrfTokens(key, Clock.fixed(instant, ZoneOffset.UTC));
    }

    @Test
    void aTokenIsAcceptedForItsUserOnly() {
        CsrfTokens tokens = at(NOW, Optional.of(KEY));
        String operators = tokens.tokenFor("operator");
        assertThat(tokens.accepts("operator", operators)).isTrue();
        assertThat(tokens.accepts("reader", operators)).isFalse();
        assertThat(tokens.tokenFor("reader")).isNotEqualTo(operators);
    }

    @Test
    void missingOrForgedTokensAreRefused() {
        CsrfTokens tokens = at(NOW, Optional.of(KEY));
        assertThat(tokens.accepts("operator", null)).isFalse();
        assertThat(tokens.accepts("operator", "")).isFalse();
        assertThat(tokens.accepts("operator", "not-a-token")).isFalse();
        assertThat(tokens.accepts("operator", tokens.tokenFor("operator") + "x")).isFalse();
    }

    @Test
    void aTokenLivesOneToTwoWindowsThenIsRefused() {
        String token = at(NOW, Optional.of(KEY)).tokenFor("operator");
        assertThat(at(NOW.plus(CsrfTokens.WINDOW), Optional.of(KEY)).accepts("operator", token)).isTrue();
        assertThat(at(NOW.plus(CsrfTokens.WINDOW.multipliedBy(2)), Optional.of(KEY)).accepts("operator", token)).isFalse();
    }

    @Test
    void instancesSharingTheKeyAcceptEachOthersTokensAndRandomKeysDoNot() {
        assertThat(at(NOW, Optional.of(KEY)).accepts("operator", at(NOW, Optional.of(KEY)).tokenFor("operator"))).isTrue();
        assertThat(at(NOW, Optional.empty()).accepts("operator", at(NOW, Optional.empty()).tokenFor("operator"))).isFalse();
    }

    @Test
    void aShortOrMalformedKeyFailsAtStartNamingTheSetting() {
        assertThatThrownBy(() -> at(NOW, Optional.of(Base64.getEncoder().encodeToString(new byte[16]))))
                .hasMessageContaining("pipeline.security.console-csrf-key");
        assertThatThrownBy(() -> at(NOW, Optional.of("%%%"))).hasMessageContaining("pipeline.security.console-csrf-key");
    }
}
