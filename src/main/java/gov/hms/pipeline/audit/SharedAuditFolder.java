package gov.hms.pipeline.audit;

import io.quarkus.logging.Log;
import java.io.IOException;
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
    /** A chain read while its instance rotates it is read again, at most this often. */
    private static final int ATTEMPTS = 10;

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
     * Opens another instance's chain as it is now, read-only. Checkpoints are opened first: the writer forces
     * its records before it signs them, so every checkpoint seen counts only records already in the files
     * opened after it. Of the active file and the checkpoint file, only whole lines are seen (a last line
     * without its {@code \n} is a record being written). If the instance rotates its active file while the
     * files are opened (the listing of rotated files differs before and after), they are opened again.
     *
     * @throws IOException if a file cannot be read, or the chain was rotated on every attempt
     */
    AuditView open(String instance) throws IOException {
        AuditFiles files = AuditFiles.shared(dir, instance, Optional.empty());
        CheckpointKey key = readKey(files.publicKey());
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            AuditView.Segment checkpoints = AuditView.Segment.openWholeLines(0, files.checkpoints());
            List<AuditView.Segment> segments = new ArrayList<>();
            try {
                List<AuditFiles.Rotated> before = files.rotated();
                long activeSeq = before.isEmpty() ? 1 : before.get(before.size() - 1).seq() + 1;
                AuditView.Segment active = AuditView.Segment.openWholeLines(activeSeq, files.active());
                segments.add(active);
                if (before.equals(files.rotated())) {
                    segments.clear();
                    for (AuditFiles.Rotated rotated : before) {
                        segments.add(AuditView.Segment.open(rotated.seq(), rotated.path()));
                    }
                    segments.add(active);
                    return new AuditView(segments, checkpoints, key);
                }
                active.close();
                checkpoints.close();
            } catch (IOException | RuntimeException e) {
                segments.forEach(AuditView.Segment::close);
                checkpoints.close();
                throw e;
            }
        }
        throw new IOException("the audit chain of instance " + instance + " in " + dir + " was rotated on each of "
                + ATTEMPTS + " attempts to read it");
    }
}
