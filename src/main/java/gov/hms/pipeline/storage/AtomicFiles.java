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
 * Crash-safe small files for the durable stores (dead letters, notification outbox): a reader
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
        Path folder = target.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temporary = folder.resolve(TEMPORARY_PREFIX + UUID.randomUUID() + "-" + target.getFileName());
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        try {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Whether a folder entry is a finished JSON file of a store (not an in-progress one). */
    public static boolean isStoredJson(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".json") && !name.startsWith(TEMPORARY_PREFIX) && Files.isRegularFile(file);
    }
}
