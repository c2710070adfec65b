package gov.hms.pipeline.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real entries in a temporary folder, each judged without following a link. */
class InboxEntryTypeTest {

    @TempDir
    Path dir;

    @Test
    void aRegularFileIsRegular() throws Exception {
        assertThat(InboxEntryType.nonRegularType(Files.writeString(dir.resolve("p.json"), "{}"))).isNull();
    }

    @Test
    void aLinkIsALinkWhateverItPointsTo() throws Exception {
        Path regular = Files.writeString(dir.resolve("target.json"), "{}");
        assertThat(InboxEntryType.nonRegularType(Files.createSymbolicLink(dir.resolve("to-file.json"), regular)))
                .isEqualTo("inode/symlink");
        assertThat(InboxEntryType.nonRegularType(Files.createSymbolicLink(dir.resolve("to-dir.json"), dir)))
                .isEqualTo("inode/symlink");
        assertThat(InboxEntryType.nonRegularType(Files.createSymbolicLink(dir.resolve("dangling.json"), dir.resolve("gone"))))
                .isEqualTo("inode/symlink");
    }

    @Test
    void aDirectoryAFifoAndADeviceAreNamedByTheirInodeType() throws Exception {
        assertThat(InboxEntryType.nonRegularType(Files.createDirectory(dir.resolve("d.json")))).isEqualTo("inode/directory");
        Path fifo = dir.resolve("f.json");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        assertThat(InboxEntryType.nonRegularType(fifo)).isEqualTo("inode/fifo");
        assertThat(InboxEntryType.nonRegularType(Path.of("/dev/null"))).isEqualTo("inode/chardevice");
    }

    @Test
    void anEntryThatIsGoneCannotBeExamined() {
        assertThatThrownBy(() -> InboxEntryType.nonRegularType(dir.resolve("gone.json")))
                .isInstanceOf(NoSuchFileException.class);
    }
}
