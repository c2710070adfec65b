package gov.hms.pipeline.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.packaging.CanonicalJson;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.ExchangeProperty;

/**
 * The append-only, hash-chained audit log: JSON Lines at {@code pipeline.audit.file}.
 * <p>
 * Every record carries {@code prevHash} and {@code hash}, where {@code hash} is the lower-case
 * hex SHA-256 of {@code prevHash} followed by the RFC 8785 canonical JSON of the record without
 * {@code hash}; the first record's {@code prevHash} is 64 zeros, and after a restart the chain
 * continues from the last record on disk (CONTRACT.md, "Audit log").
 * <p>
 * Records arrive by wire tap on one dedicated thread ({@link #auditTapExecutor()}), so they are
 * written in the order the route produced them, one whole line at a time. The record that ends a
 * deployment is forced to disk, and {@link #awaitFinalRecord(String)} lets the route hold the
 * caller's answer until it is.
 */
@ApplicationScoped
@Named("auditLog")
public class AuditLog {

    /** {@code prevHash} of the very first record. */
    public static final String GENESIS_HASH = "0".repeat(64);

    private static final long FINAL_RECORD_WAIT_SECONDS = 30;

    private final ObjectMapper mapper = new ObjectMapper();
    private final Path file;
    private final String instance;
    private final Map<String, CompletableFuture<Void>> finalRecords = new ConcurrentHashMap<>();
    private final ExecutorService tapExecutor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), runnable -> new Thread(runnable, "audit-writer"));
    private FileChannel channel;
    private String lastHash;

    public AuditLog(PipelineConfig config) {
        this.file = config.audit().file();
        this.instance = config.audit().instance();
    }

    /**
     * Chains and appends one record; forces it to disk if it ends a deployment.
     *
     * @throws UncheckedIOException if the log cannot be written (the waiting caller is told too)
     */
    public synchronized void append(AuditRecord record) {
        try {
            open();
            ObjectNode line = mapper.createObjectNode();
            line.put("time", record.time());
            line.put("deploymentId", record.deploymentId());
            line.put("policyId", record.policyId());
            line.put("step", record.step());
            line.put("outcome", record.outcome());
            line.put("source", record.source());
            line.put("actor", record.actor());
            line.put("detail", record.detail());
            if (record.version() != null) {
                line.put("version", record.version());
            }
            if (record.packageSha256() != null) {
                line.put("packageSha256", record.packageSha256());
            }
            line.put("instance", instance);
            if (record.routeId() != null) {
                line.put("routeId", record.routeId());
            }
            line.put("prevHash", lastHash);
            String hash = chainHash(lastHash, line);
            line.put("hash", hash);
            byte[] bytes = (mapper.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            if (record.isFinal()) {
                channel.force(false);
            }
            lastHash = hash;
            if (record.isFinal()) {
                finalRecord(record.deploymentId()).complete(null);
            }
        } catch (IOException | RuntimeException e) {
            Log.errorf("audit log %s: could not append a %s record of deployment %s: %s", file, record.step(),
                    record.deploymentId(), e.toString());
            if (record.isFinal()) {
                finalRecord(record.deploymentId()).completeExceptionally(e);
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /**
     * Blocks until the deployment's {@code completed} or {@code failed} record is on disk.
     *
     * @throws IllegalStateException if it could not be written or did not arrive within 30 s
     */
    public void awaitFinalRecord(String deploymentId) {
        CompletableFuture<Void> written = finalRecord(deploymentId);
        try {
            written.get(FINAL_RECORD_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the audit log", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the audit record ending deployment " + deploymentId
                    + " could not be written", e);
        } finally {
            finalRecords.remove(deploymentId);
        }
    }

    /** Route form of {@link #awaitFinalRecord(String)}: waits for the current deployment's final record. */
    public void awaitFinalRecordOf(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        awaitFinalRecord(deployment.id());
    }

    /**
     * The record hash: SHA-256 hex of {@code prevHash} followed by the RFC 8785 canonical JSON of
     * the record without {@code hash}.
     */
    public static String chainHash(String prevHash, JsonNode recordWithoutHash) {
        byte[] canonical = CanonicalJson.canonicalize(recordWithoutHash);
        byte[] prefix = prevHash.getBytes(StandardCharsets.US_ASCII);
        byte[] input = new byte[prefix.length + canonical.length];
        System.arraycopy(prefix, 0, input, 0, prefix.length);
        System.arraycopy(canonical, 0, input, prefix.length, canonical.length);
        return CanonicalJson.sha256Hex(input);
    }

    /** The file the log is written to. */
    public Path file() {
        return file;
    }

    private CompletableFuture<Void> finalRecord(String deploymentId) {
        return finalRecords.computeIfAbsent(deploymentId, id -> new CompletableFuture<>());
    }

    private void open() throws IOException {
        if (channel != null) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        lastHash = lastHashOnDisk();
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        Log.infof("audit log %s open; chain continues from %s", file, lastHash);
    }

    /** The hash of the last whole record on disk, or the genesis hash for a new log. */
    private String lastHashOnDisk() throws IOException {
        if (!Files.exists(file)) {
            return GENESIS_HASH;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= 0; i--) {
            String text = lines.get(i).trim();
            if (text.isEmpty()) {
                continue;
            }
            try {
                JsonNode node = mapper.readTree(text);
                if (node.hasNonNull("hash")) {
                    return node.get("hash").asText();
                }
            } catch (IOException e) {
                Log.errorf("audit log %s: line %d is torn or not JSON; the chain continues from the last whole record",
                        file, i + 1);
            }
        }
        return GENESIS_HASH;
    }

    /** On shutdown: write every record already tapped, then flush and close the log. */
    @PreDestroy
    void close() {
        tapExecutor.shutdown();
        try {
            if (!tapExecutor.awaitTermination(20, TimeUnit.SECONDS)) {
                Log.errorf("audit log %s: records still queued after 20 s at shutdown", file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (channel != null) {
                try {
                    channel.force(true);
                    channel.close();
                } catch (IOException e) {
                    Log.errorf("audit log %s: could not close cleanly: %s", file, e.toString());
                }
                channel = null;
            }
        }
    }

    /**
     * The wire tap's thread: one thread, unbounded FIFO queue, so records are written in the
     * order they were tapped and a tap never falls back to the caller's thread.
     */
    @Produces
    @Singleton
    @Named("auditTapExecutor")
    ExecutorService auditTapExecutor() {
        return tapExecutor;
    }
}
