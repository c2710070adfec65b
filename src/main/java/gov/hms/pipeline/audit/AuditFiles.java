package gov.hms.pipeline.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of one audit log, all in the folder of {@code pipeline.audit.file}:
 * <ul>
 * <li>the active file, e.g. {@code audit.jsonl}, where records are appended;</li>
 * <li>rotated files {@code <stem>.<seq>.<yyyy-MM-dd><ext>}, e.g. {@code audit.000001.2026-11-29.jsonl}:
 * {@code seq} (six or more digits) counts files from 1 in chain order, the date is the UTC day
 * of the file's first record. The active file is always the next {@code seq};</li>
 * <li>the checkpoint file, default {@code <stem>.checkpoints<ext>};</li>
 * <li>the checkpoint signing key, default {@code checkpoint-key.pem}, and its public half
 * {@code <key name without .pem>.pub.pem} for auditors.</li>
 * </ul>
 * With {@code pipeline.audit.shared-dir}, each instance's chain has the same files in the shared folder,
 * named after the instance ({@link #shared}).
 * {@code tools/AuditVerify.java} finds the files by the same rules.
 */
final class AuditFiles {

    /** Instance ids allowed with a shared folder: no dot, so {@code audit.<id>.…} names never collide. */
    static final Pattern SAFE_INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    static final String ACTIVE_PREFIX = "audit.";
    static final String EXTENSION = ".jsonl";
    static final String KEY_PREFIX = "checkpoint-key.";

    /** One rotated file, by its place in the chain. */
    record Rotated(long seq, Path path) {
    }

    private final Path active;
    private final Path dir;
    private final String stem;
    private final String extension;
    private final Pattern rotatedName;
    private final Path checkpoints;
    private final Path privateKey;
    private final Path publicKey;

    AuditFiles(Path activeFile, Optional<Path> checkpointFile, Optional<Path> checkpointKey) {
        this(activeFile, checkpointFile, checkpointKey, Optional.empty());
    }

    /**
     * The files of instance {@code instance}'s chain in a shared audit folder: {@code audit.<instance>.jsonl},
     * rotated {@code audit.<instance>.<seq>.<yyyy-MM-dd>.jsonl}, {@code audit.<instance>.checkpoints.jsonl}, and
     * the public key {@code checkpoint-key.<instance>.pub.pem} always there, so every instance can verify every
     * chain; the private key is {@code checkpointKey}, else {@code checkpoint-key.<instance>.pem} there too.
     *
     * @param instance a safe name ({@link #isSafeInstanceId}), so no two chains' names can collide
     */
    static AuditFiles shared(Path sharedDir, String instance, Optional<Path> checkpointKey) {
        Path dir = sharedDir.toAbsolutePath().normalize();
        return new AuditFiles(dir.resolve(ACTIVE_PREFIX + instance + EXTENSION), Optional.empty(),
                Optional.of(checkpointKey.orElse(dir.resolve(KEY_PREFIX + instance + ".pem"))),
                Optional.of(dir.resolve(KEY_PREFIX + instance + ".pub.pem")));
    }

    /** Whether {@code instance} may name files in a shared folder: letters, digits, {@code -} and {@code _}, no dot. */
    static boolean isSafeInstanceId(String instance) {
        return instance != null && SAFE_INSTANCE_ID.matcher(instance).matches();
    }

    private AuditFiles(Path activeFile, Optional<Path> checkpointFile, Optional<Path> checkpointKey,
            Optional<Path> publishedKey) {
        this.active = activeFile.toAbsolutePath().normalize();
        this.dir = active.getParent();
        String name = active.getFileName().toString();
        int dot = name.lastIndexOf('.');
        this.stem = dot > 0 ? name.substring(0, dot) : name;
        this.extension = dot > 0 ? name.substring(dot) : "";
        this.rotatedName = Pattern.compile(Pattern.quote(stem) + "\\.(\\d{6,18})\\.(\\d{4}-\\d{2}-\\d{2})"
                + Pattern.quote(extension));
        this.checkpoints = checkpointFile.map(p -> p.toAbsolutePath().normalize())
                .orElse(dir.resolve(stem + ".checkpoints" + extension));
        this.privateKey = checkpointKey.map(p -> p.toAbsolutePath().normalize())
                .orElse(dir.resolve("checkpoint-key.pem"));
        String keyName = privateKey.getFileName().toString();
        this.publicKey = publishedKey.orElse(privateKey.resolveSibling(
                (keyName.endsWith(".pem") ? keyName.substring(0, keyName.length() - 4) : keyName) + ".pub.pem"));
    }

    Path active() {
        return active;
    }

    Path dir() {
        return dir;
    }

    Path checkpoints() {
        return checkpoints;
    }

    Path privateKey() {
        return privateKey;
    }

    Path publicKey() {
        return publicKey;
    }

    /** Rotated files in chain order (ascending {@code seq}). */
    List<Rotated> rotated() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Rotated> found = new ArrayList<>();
        try (Stream<Path> listing = Files.list(dir)) {
            listing.forEach(path -> {
                Matcher matcher = rotatedName.matcher(path.getFileName().toString());
                if (matcher.matches()) {
                    found.add(new Rotated(Long.parseLong(matcher.group(1)), path));
                }
            });
        }
        found.sort(Comparator.comparingLong(Rotated::seq));
        return found;
    }

    /** The {@code seq} the active file will have once it is rotated. */
    long activeSeq() throws IOException {
        List<Rotated> rotated = rotated();
        return rotated.isEmpty() ? 1 : rotated.get(rotated.size() - 1).seq() + 1;
    }

    /** The name the active file is given when it is rotated. */
    Path rotatedPath(long seq, LocalDate firstRecordDay) {
        return dir.resolve(String.format("%s.%06d.%s%s", stem, seq, firstRecordDay, extension));
    }

    /** The name a torn tail moved out of {@code file} is kept under. */
    static Path tornPath(Path file, java.time.Instant when) {
        String stamp = when.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString().replace(":", "").replace("-", "");
        return file.resolveSibling(file.getFileName() + ".torn-" + stamp);
    }
}
