package gov.hms.pipeline.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names in the done and failed folders: time suffix before the extension, never an existing name, at most 255 bytes. */
class InboxNamesTest {

    private static final Instant TIME = Instant.parse("2026-11-29T09:11:12.345Z");

    @TempDir
    Path dir;

    @Test
    void timeSuffixGoesBeforeTheExtension() {
        assertThat(InboxNames.uniqueIn(dir, "política-ü.json", TIME, "").getFileName().toString())
                .isEqualTo("política-ü.20261129T091112345Z.json");
        assertThat(InboxNames.uniqueIn(dir, "README", TIME, "").getFileName().toString())
                .isEqualTo("README.20261129T091112345Z");
        assertThat(InboxNames.uniqueIn(dir, "a.b.json", TIME, "").getFileName().toString())
                .isEqualTo("a.b.20261129T091112345Z.json");
    }

    @Test
    void aTakenNameOrCompanionGetsACounter() throws IOException {
        Files.writeString(dir.resolve("p.20261129T091112345Z.json"), "earlier");
        Files.writeString(dir.resolve("p.20261129T091112345Z-2.json.error.json"), "earlier");
        assertThat(InboxNames.uniqueIn(dir, "p.json", TIME, ".error.json").getFileName().toString())
                .isEqualTo("p.20261129T091112345Z-3.json");
    }

    @Test
    void longNamesAreShortenedAtACharacterBoundaryToFit255BytesWithTheirCompanion() {
        String name = "政".repeat(83) + ".json";   // 249 + 5 = 254 bytes
        String shortened = InboxNames.uniqueIn(dir, name, TIME, ".error.json").getFileName().toString();
        assertThat((shortened + ".error.json").getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(shortened).startsWith("政".repeat(70)).endsWith(".20261129T091112345Z.json");
        assertThat(shortened).doesNotContain("\uFFFD");
    }
}
