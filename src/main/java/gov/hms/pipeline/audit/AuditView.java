package gov.hms.pipeline.audit;

import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The audit log's files opened for reading at one moment ({@link AuditLog#view()}): each read
 * stops at the size the file had then, so records appended or files rotated afterwards do not
 * change what a verification or a page of a query sees.
 *
 * @param segments    the log files in chain order, the active file last
 * @param checkpoints the checkpoint file
 * @param key         the key checkpoints are verified with; {@code null} if the chain has none published
 */
record AuditView(List<Segment> segments, Segment checkpoints, CheckpointKey key) implements AutoCloseable {

    /**
     * One file.
     *
     * @param seq     its place in the chain (the active file has the next number)
     * @param path    where it was when opened
     * @param channel open for reading
     * @param size    its size when opened: the end of every read
     */
    record Segment(long seq, Path path, FileChannel channel, long size) {

        static Segment open(long seq, Path path) throws IOException {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            return new Segment(seq, path, channel, channel.size());
        }

        /**
         * Opens a file another process appends to, up to its last line end: bytes after it are a line still
         * being written. A file that does not exist is an empty segment.
         */
        static Segment openWholeLines(long seq, Path path) throws IOException {
            FileChannel channel;
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            } catch (java.nio.file.NoSuchFileException e) {
                return new Segment(seq, path, null, 0);
            }
            try {
                return new Segment(seq, path, channel, AuditLines.endOfLastLine(channel, channel.size()));
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        String name() {
            return path.getFileName().toString();
        }

        void forEachLine(long from, AuditLines.Visitor visitor) throws IOException {
            AuditLines.forEach(channel, from, size, visitor);
        }

        void close() {
            if (channel == null) {
                return;
            }
            try {
                channel.close();
            } catch (IOException e) {
                Log.debugf("audit log: closing %s: %s", path, e.toString());
            }
        }
    }

    @Override
    public void close() {
        segments.forEach(Segment::close);
        checkpoints.close();
    }
}
