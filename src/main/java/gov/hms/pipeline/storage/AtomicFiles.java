package gov.hms.pipeline.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Crash-safe small files for the durable stores (dead letters, notification outbox) and the inbox's
 * result and error files: a reader
 * sees either the old whole file or the new whole file, never a torn one, and a file that was
 * reported written survives a crash.
 */
public final class AtomicFiles {

    /** Prefix of in-progress files; stores skip names that start with it. */
    public static final String TEMPORARY_PREFIX = ".tmp-";

    private AtomicFiles() {
    }

    /**
     * Writes {@code bytes} to a temporary sibling, forces it to disk, then renames it over
     * {@code target} atomically (a plain replace where the file system cannot do that).
     *
     * @throws IOException if the folder cannot be written
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, bytes, true);
    }

    /**
     * {@link #write(Path, byte[])} without forcing: whole or absent after the process dies, but only
     * in the operating system's cache, so a power loss may take it. For a file whose loss costs nothing
     * that cannot be had again (the inbox's result files), where an fsync each would be the cost.
     *
     * @throws IOException if the folder cannot be written
     */
    public static void writeUnforced(Path target, byte[] bytes) throws IOException {
        write(target, bytes, false);
    }

    /**
     * Forces a folder's entries (names created, renamed, deleted) to disk, where the platform can;
     * elsewhere there is nothing more Java can do, and it returns quietly.
     */
    public static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported on this platform
        }
    }

    private static void write(Path target, byte[] bytes, boolean force) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        // Not named after the target: a target name near the file system's limit (255 bytes) would not fit.
        Path temporary = folder.resolve(TEMPORARY_PREFIX + UUID.randomUUID());
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (force) {
                channel.force(true);
            }
        }
        try {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
