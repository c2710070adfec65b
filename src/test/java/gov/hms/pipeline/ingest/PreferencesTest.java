package gov.hms.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 7240 section 2: {@code Prefer} is a list of tokens, optionally with values and parameters. */
class PreferencesTest {

    @Test
    void respondAsyncIsFoundAmongOtherPreferencesWhateverItsCase() {
        assertThat(Preferences.respondAsync("respond-async")).isTrue();
        assertThat(Preferences.respondAsync("return=minimal, Respond-Async, wait=10")).isTrue();
        assertThat(Preferences.respondAsync(" respond-async ;foo=bar")).isTrue();
    }

    @Test
    void otherPreferencesAndLookAlikesAreNotRespondAsync() {
        assertThat(Preferences.respondAsync(null)).isFalse();
        assertThat(Preferences.respondAsync("")).isFalse();
        assertThat(Preferences.respondAsync("return=representation, wait=5")).isFalse();
        assertThat(Preferences.respondAsync("respond-asynchronously")).isFalse();
        assertThat(Preferences.respondAsync("handling=respond-async")).isFalse();
    }

    /** Section 2: a value may be a quoted-string (RFC 9110 section 5.6.4), commas and all. */
    @Test
    void aQuotedValueIsOnePreferenceWhateverItHolds() {
        assertThat(Preferences.respondAsync("note=\"a, respond-async, b\"")).isFalse();
        assertThat(Preferences.respondAsync("note=\"say \\\", respond-async\"")).isFalse();
        assertThat(Preferences.respondAsync("note=\"a, b\", respond-async")).isTrue();
        assertThat(Preferences.respondAsync("return=minimal; note=\"x,y\",respond-async")).isTrue();
    }
}
