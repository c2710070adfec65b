package gov.hms.pipeline.audit;

import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The folder of {@code pipeline.audit.shared-dir}, where every instance writes its own chain
 * ({@link AuditFiles#shared}): finds the chains by their file names and opens other instances' chains
 * for reading, without their lock, while they are being appended to and rotated.
 */
final class SharedAuditFolder {

    /** Any file of a chain: active, checkpoints or rotated; group 1 is the instance id. */
    private static final Pattern CHAIN_FILE = Pattern.compile(Pattern.quote(AuditFiles.ACTIVE_PREFIX) + "("
            + AuditFiles.SAFE_INSTANCE_ID.pattern() + ")\\.(?:checkpoints\\.|\\d{6,18}\\.\\d{4}-\\d{2}-\\d{2}\\.)?jsonl");
    private final Path dir;

    SharedAuditFolder(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    Path dir() {
        return dir;
    }

    /** The instance ids that have a chain here, sorted. */
    SortedSet<String> instances() throws IOException {
        SortedSet<String> found = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (Stream<Path> listing = Files.list(dir)) {
            listing.forEach(path -> {
                Matcher matcher = CHAIN_FILE.matcher(path.getFileName().toString());
                if (matcher.matches()) {
                    found.add(matcher.group(1));
                }
            });
        }
        return found;
    }

    /** The chain's published public key; {@code null} if missing or not a key, which verification reports. */
    private static CheckpointKey readKey(Path pem) {
        if (!Files.exists(pem)) {
            return null;
        }
        try {
            return CheckpointKey.read(pem);
        } catch (IOException e) {
            Log.warnf("audit: %s", e.getMessage());
            return null;
        }
    }

    /**
     * Opens another instance's chain as it is now, read-only, without waiting for its writer. Checkpoints are
     * opened first: the writer forces its records before it signs them, so every checkpoint seen counts only
     * records already in the files opened after it. Of the active file and the checkpoint file, only whole
     * lines are seen (a last line without its {@code \n} is a record being written).
     * <p>
     * The instance may rotate while this runs: the rotated files are listed before and after the active file
     * is opened. If files were rotated in between, the file opened is either the active file after those
     * rotations, or one of them (renamed after it was opened): then its first line is that rotated file's
     * (every file begins with a different record, as each links to the one before), and the chain seen ends
     * with the rotated files. Either way no file is missing or seen twice.
     *
     * @throws IOException if a file cannot be read
     */
    AuditView open(String instance) throws IOException {
        AuditFiles files = AuditFiles.shared(dir, instance, Optional.empty());
        CheckpointKey key = readKey(files.publicKey());
        AuditView.Segment checkpoints = AuditView.Segment.openWholeLines(0, files.checkpoints());
        List<AuditView.Segment> segments = new ArrayList<>();
        AuditView.Segment active = null;
        try {
            List<AuditFiles.Rotated> before = files.rotated();
            active = AuditView.Segment.openWholeLines(nextSeq(before), files.active());
            List<AuditFiles.Rotated> after = files.rotated();
            if (!after.equals(before) && active.size() > 0 && isOneOf(active, after.stream().filter(file -> !before.contains(file)).toList())) {
                // Renamed since it was opened: it is among the rotated files; the active file after them is not seen.
                active.close();
                active = new AuditView.Segment(nextSeq(after), files.active(), null, 0);
            }
            for (AuditFiles.Rotated rotated : after) {
                segments.add(AuditView.Segment.open(rotated.seq(), rotated.path()));
            }
            segments.add(new AuditView.Segment(nextSeq(after), active.path(), active.channel(), active.size()));
            return new AuditView(segments, checkpoints, key);
        } catch (IOException | RuntimeException e) {
            segments.forEach(AuditView.Segment::close);
            if (active != null) {
                active.close();
            }
            checkpoints.close();
            throw e;
        }
    }

    private static long nextSeq(List<AuditFiles.Rotated> rotated) {
        return rotated.isEmpty() ? 1 : rotated.get(rotated.size() - 1).seq() + 1;
    }

    /** Whether the file opened as {@code active} begins with the same line as one of {@code rotated}. */
    private static boolean isOneOf(AuditView.Segment active, List<AuditFiles.Rotated> rotated) throws IOException {
        byte[] first = firstLine(active.channel());
        for (AuditFiles.Rotated file : rotated) {
            try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ)) {
                if (Arrays.equals(first, firstLine(channel))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] firstLine(FileChannel channel) throws IOException {
        byte[][] line = {null};
        AuditLines.forEach(channel, 0, channel.size(), (offset, bytes, terminated) -> {
            line[0] = bytes;
            return false;
        });
        return line[0];
    }
}
