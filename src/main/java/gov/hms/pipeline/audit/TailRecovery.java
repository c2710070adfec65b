package gov.hms.pipeline.audit;

import gov.hms.pipeline.storage.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

/**
 * Finds and sets aside a torn tail: what a crash can leave at the end of an append-only JSON Lines
 * file (a half-written line, or a run of zero bytes where the file grew but its data never reached
 * the disk). Only the tail is examined, from the end backwards, so start-up time does not grow
 * with the log; a bad line followed by a good one is not a crash and is left for verification.
 */
final class TailRecovery {

    private static final int FIRST_WINDOW = 64 * 1024;

    /**
     * The good part of a file.
     *
     * @param goodEnd        offset just after the last good line's {@code \n}; everything from here is torn
     * @param lastGood       the last good line, or {@code null} if there is none
     * @param size           the file's size when it was read
     * @param missingNewline the last good line is the file's last bytes but lacks its {@code \n}
     */
    record Tail(long goodEnd, byte[] lastGood, long size, boolean missingNewline) {
        boolean torn() {
            return goodEnd < size && !missingNewline;
        }
    }

    /**
     * What was moved out of a file.
     *
     * @param bytes  how many bytes
     * @param sha256 their SHA-256, hex
     * @param keptAt the file they were moved to
     */
    record Torn(long bytes, String sha256, Path keptAt) {
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    private record Segment(long offset, byte[] bytes, boolean terminated) {
    }

    private TailRecovery() {
    }

    /** Looks back from the end of {@code file} for the last line {@code good} accepts. */
    static Tail scan(Path file, Predicate<byte[]> good) throws IOException {
        if (!Files.exists(file)) {
            return new Tail(0, null, 0, false);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long window = FIRST_WINDOW;
            while (true) {
                long start = Math.max(0, size - window);
                List<Segment> segments = new ArrayList<>();
                AuditLines.forEach(channel, start, size, (offset, line, terminated) -> {
                    segments.add(new Segment(offset, line, terminated));
                    return true;
                });
                // The first segment of a window that does not start the file may be a line's end only.
                int first = start == 0 ? 0 : 1;
                for (int i = segments.size() - 1; i >= first; i--) {
                    Segment segment = segments.get(i);
                    if (good.test(segment.bytes())) {
                        long end = segment.offset() + segment.bytes().length + (segment.terminated() ? 1 : 0);
                        return new Tail(end, segment.bytes(), size, !segment.terminated());
                    }
                }
                if (start == 0) {
                    return new Tail(0, null, size, false);
                }
                window *= 4;
            }
        }
    }

    /**
     * Copies the torn bytes of {@code file} to {@link AuditFiles#tornPath} (forced to disk first),
     * then truncates {@code file} to its good part, or ends its last good line.
     *
     * @return what was moved, or {@code null} if only a missing line end was added
     */
    static Torn repair(Path file, Tail tail, Instant now) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (tail.missingNewline()) {
                channel.write(ByteBuffer.wrap(new byte[] {'\n'}), tail.size());
                channel.force(false);
                return null;
            }
            Path keptAt = AuditFiles.tornPath(file, now);
            MessageDigest sha256 = sha256();
            try {
                copy(channel, tail, keptAt, sha256);
            } catch (IOException | RuntimeException e) {
                // A copy that failed (a full disk) must not stay behind: retries would leave one per attempt.
                Files.deleteIfExists(keptAt);
                throw e;
            }
            AtomicFiles.forceDirectory(file.toAbsolutePath().getParent());
            channel.truncate(tail.goodEnd());
            channel.force(true);
            return new Torn(tail.size() - tail.goodEnd(), HexFormat.of().formatHex(sha256.digest()), keptAt);
        }
    }

    /** Copies the torn bytes to {@code keptAt}, forced to disk, adding them to {@code sha256}. */
    private static void copy(FileChannel channel, Tail tail, Path keptAt, MessageDigest sha256) throws IOException {
        try (FileChannel copy = FileChannel.open(keptAt, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            long position = tail.goodEnd();
            while (position < tail.size()) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), tail.size() - position));
                int read = channel.read(buffer, position);
                if (read <= 0) {
                    break;
                }
                buffer.flip();
                sha256.update(buffer.duplicate());
                while (buffer.hasRemaining()) {
                    copy.write(buffer);
                }
                position += read;
            }
            copy.force(true);
        }
    }
}
