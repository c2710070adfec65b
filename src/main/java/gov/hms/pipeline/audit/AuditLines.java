package gov.hms.pipeline.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads JSON Lines files by byte offset, so a reader can stop and later resume exactly there. */
final class AuditLines {

    private static final int CHUNK = 64 * 1024;

    /** Receives one line: its first byte's offset, its bytes without the {@code \n}, and whether it had one. */
    @FunctionalInterface
    interface Visitor {
        /** @return {@code false} to stop reading */
        boolean line(long offset, byte[] line, boolean terminated) throws IOException;
    }

    private AuditLines() {
    }

    /**
     * Calls {@code visitor} for each line that starts in {@code [start, end)}; a last line without a
     * {@code \n} before {@code end} is passed with {@code terminated = false}. Reads by position, so
     * the channel may be shared.
     */
    static void forEach(FileChannel channel, long start, long end, Visitor visitor) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        ByteArrayOutputStream line = new ByteArrayOutputStream(512);
        long position = start;
        long lineStart = start;
        while (position < end) {
            buffer.clear();
            buffer.limit((int) Math.min(CHUNK, end - position));
            int read = channel.read(buffer, position);
            if (read <= 0) {
                break;
            }
            byte[] bytes = buffer.array();
            int from = 0;
            for (int i = 0; i < read; i++) {
                if (bytes[i] == '\n') {
                    line.write(bytes, from, i - from);
                    if (!visitor.line(lineStart, line.toByteArray(), true)) {
                        return;
                    }
                    line.reset();
                    from = i + 1;
                    lineStart = position + i + 1;
                }
            }
            line.write(bytes, from, read - from);
            position += read;
        }
        if (line.size() > 0) {
            visitor.line(lineStart, line.toByteArray(), false);
        }
    }

    /** Number of {@code \n} in the file: its record count when every line is whole. */
    static long countLines(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            long count = 0;
            long position = 0;
            int read;
            while ((read = channel.read(buffer, position)) > 0) {
                byte[] bytes = buffer.array();
                for (int i = 0; i < read; i++) {
                    if (bytes[i] == '\n') {
                        count++;
                    }
                }
                position += read;
                buffer.clear();
            }
            return count;
        }
    }

    /** The offset just after the last {@code \n} before {@code size}, or 0 if there is none. */
    static long endOfLastLine(FileChannel channel, long size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        long end = size;
        while (end > 0) {
            long from = Math.max(0, end - CHUNK);
            buffer.clear();
            buffer.limit((int) (end - from));
            int read = 0;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, from + read);
                if (n <= 0) {
                    break;
                }
                read += n;
            }
            for (int i = read - 1; i >= 0; i--) {
                if (buffer.get(i) == '\n') {
                    return from + i + 1;
                }
            }
            end = from;
        }
        return 0;
    }

    /** Whether the byte before {@code offset} ends a line (so a reader may resume at it). */
    static boolean startsALine(FileChannel channel, long offset) throws IOException {
        if (offset == 0) {
            return true;
        }
        ByteBuffer one = ByteBuffer.allocate(1);
        return channel.read(one, offset - 1) == 1 && one.get(0) == '\n';
    }
}
