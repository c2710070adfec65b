package gov.hms.pipeline.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What an operator asks about the audit chain at a glance: the last verification of the whole
 * chain, or with a shared audit folder of every instance's chain (by {@code GET /api/audit/verify} or
 * the console, since this process started), and this instance's last signed checkpoint on disk.
 */
@ApplicationScoped
public class AuditChainStatus {

    /** Checkpoint lines are a few hundred bytes: the last one is within this tail of the file. */
    private static final int TAIL_BYTES = 8192;

    /**
     * One verification.
     *
     * @param time   when it ended, RFC 3339 UTC
     * @param actor  who asked for it
     * @param result what it found
     */
    public record Verification(String time, String actor, AuditVerification result) {
    }

    private final AuditLog log;
    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicReference<Verification> last = new AtomicReference<>();

    public AuditChainStatus(AuditLog log) {
        this.log = log;
    }

    /** Walks the whole chain now ({@link AuditLog#verify()}) and remembers the result as the last verification. */
    public AuditVerification verify(String actor) {
        AuditVerification result = log.verify();
        last.set(new Verification(Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), actor, result));
        return result;
    }

    /** @return the last verification since start, empty if none yet */
    public Optional<Verification> lastVerification() {
        return Optional.ofNullable(last.get());
    }

    /**
     * @return the last complete checkpoint line as written ({@code time}, {@code records},
     *         {@code headHash}, {@code instance}, {@code keyId}, {@code signature}), empty if none yet
     *         or unreadable (its signature is checked by {@link #verify}, not here)
     */
    public Optional<JsonNode> lastCheckpoint() {
        Path file = log.checkpointFile();
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (RandomAccessFile reader = new RandomAccessFile(file.toFile(), "r")) {
            long length = reader.length();
            int size = (int) Math.min(length, TAIL_BYTES);
            byte[] tail = new byte[size];
            reader.seek(length - size);
            reader.readFully(tail);
            String[] lines = new String(tail, StandardCharsets.UTF_8).split("\n");
            // The newest complete line; a line still being written (no newline yet) does not parse.
            for (int i = lines.length - 1; i >= 0; i--) {
                Optional<JsonNode> checkpoint = parse(lines[i]);
                if (checkpoint.isPresent()) {
                    return checkpoint;
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<JsonNode> parse(String line) {
        try {
            JsonNode node = mapper.readTree(line);
            return node != null && node.isObject() && node.has("headHash") ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
