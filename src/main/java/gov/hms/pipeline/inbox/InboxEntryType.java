package gov.hms.pipeline.inbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What an inbox entry is, judged without following a symbolic link ({@code lstat(2)}): the inbox reads
 * only regular files. Anything else is named by its inode media type, as shared-mime-info and
 * {@code file --mime-type} name it ({@code inode/symlink}, {@code inode/fifo}, {@code inode/chardevice},
 * {@code inode/blockdevice}, {@code inode/socket}, {@code inode/directory}), and refused unopened:
 * a link could point anywhere the service may read (its content would end up in the reason file), and
 * opening a FIFO blocks until someone writes to it.
 */
final class InboxEntryType {

    /** File type bits of {@code st_mode} (POSIX {@code <sys/stat.h>}: S_IFMT and its values). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFSOCK = 0140000;

    private InboxEntryType() {
    }

    /**
     * @param path an inbox entry; a symbolic link is judged itself, never its target
     * @return {@code null} for a regular file, else the entry's inode media type (e.g. {@code inode/fifo})
     * @throws IOException if the entry cannot be examined (e.g. it is gone)
     */
    static String nonRegularType(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isRegularFile()) {
            return null;
        }
        if (attributes.isSymbolicLink()) {
            return "inode/symlink";
        }
        if (attributes.isDirectory()) {
            return "inode/directory";
        }
        return switch (modeOf(path) & S_IFMT) {
            case S_IFIFO -> "inode/fifo";
            case S_IFCHR -> "inode/chardevice";
            case S_IFBLK -> "inode/blockdevice";
            case S_IFSOCK -> "inode/socket";
            default -> "inode/x-other";
        };
    }

    private static int modeOf(Path path) throws IOException {
        try {
            return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return 0; // no "unix" view (not Linux or macOS): still refused, as "other"
        }
    }
}
