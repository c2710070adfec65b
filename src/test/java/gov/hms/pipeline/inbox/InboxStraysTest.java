package gov.hms.pipeline.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which real entries of a folder the poll strategy takes on itself: those the file consumer never hands on. */
class InboxStraysTest {

    @TempDir
    Path dir;

    @Test
    void aDirectoryNamedLikeAPolicyIsAStrayAnyOtherSubFolderIsNot() throws Exception {
        assertThat(InboxStrays.strayType(Files.createDirectory(dir.resolve("p.JSON")))).isEqualTo("inode/directory");
        assertThat(InboxStrays.strayType(Files.createDirectory(dir.resolve("done")))).isNull();
        assertThat(InboxStrays.strayType(Files.createDirectory(dir.resolve(".failed.json")))).as("hidden").isNull();
    }

    @Test
    void aDanglingLinkAndALinkToADirectoryNamedLikeAPolicyAreStrays() throws Exception {
        assertThat(InboxStrays.strayType(Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("gone"))))
                .isEqualTo("inode/symlink");
        Path folder = Files.createDirectory(dir.resolve("folder"));
        assertThat(InboxStrays.strayType(Files.createSymbolicLink(dir.resolve("to-dir.json"), folder))).isEqualTo("inode/symlink");
        assertThat(InboxStrays.strayType(Files.createSymbolicLink(dir.resolve("to-dir"), folder))).isNull();
        assertThat(InboxStrays.strayType(Files.createSymbolicLink(dir.resolve("gone.tmp"), dir.resolve("gone")))).isNull();
    }

    @Test
    void whatTheFileConsumerHandsOnIsNoStray() throws Exception {
        Path regular = Files.writeString(dir.resolve("p.json"), "{}");
        assertThat(InboxStrays.strayType(regular)).isNull();
        assertThat(InboxStrays.strayType(Files.createSymbolicLink(dir.resolve("to-file.json"), regular))).isNull();
    }
}
