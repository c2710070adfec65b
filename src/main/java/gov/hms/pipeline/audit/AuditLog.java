package gov.hms.pipeline.audit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.packaging.CanonicalJson;
import gov.hms.pipeline.storage.AtomicFiles;
import gov.hms.pipeline.storage.ProcessLock;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.ExchangeProperty;

/**
 * The append-only, hash-chained audit log: JSON Lines at {@code pipeline.audit.file} (docs/audit.md).
 * <p>
 * Every record carries {@code prevHash} and {@code hash}, where {@code hash} is the lower-case
 * hex SHA-256 of {@code prevHash} followed by the RFC 8785 canonical JSON of the record without
 * {@code hash}; the first record's {@code prevHash} is 64 zeros, and the chain continues across
 * restarts and rotated files (CONTRACT.md, "Audit log"; {@link AuditFiles} names the files).
 * <p>
 * Records arrive by wire tap on one dedicated thread ({@link #auditTapExecutor()}), so they are
 * written in the order the route produced them, one whole line at a time. The record that ends a
 * deployment is forced to disk, and {@link #awaitFinalRecord(String)} lets the route hold the
 * caller's answer until it is; other records are forced per {@code pipeline.audit.fsync}. Forcing is
 * a group commit: the writer forces once it has no more records queued (or
 * {@value #GROUP_COMMIT_LIMIT} deployments are waiting), and that one force answers every deployment
 * whose final record it covers, so concurrent deployments share an fsync instead of queueing one each.
 * Every {@code pipeline.audit.checkpoint-every} records or interval, and at shutdown, the record
 * count and head hash are signed with Ed25519 into the checkpoint file ({@link Checkpoint}), so a
 * log cut short is detected too. At start-up a torn tail left by a crash is set aside and a
 * {@value AuditStep#LOG_RECOVERED} record says so (NIST SP 800-53 AU-9, AU-10).
 */
@ApplicationScoped
@Named("auditLog")
public class AuditLog {

    /** {@code prevHash} of the very first record. */
    public static final String GENESIS_HASH = "0".repeat(64);

    /** {@code source} and {@code actor} of the service's own records. */
    static final String SERVICE_SOURCE = "service";
    static final String SYSTEM_ACTOR = "system";

    private static final long FINAL_RECORD_WAIT_SECONDS = 30;
    private static final long SHUTDOWN_DRAIN_SECONDS = 20;
    /** Most deployments one force may keep waiting: bounds the wait when the queue never empties. */
    static final int GROUP_COMMIT_LIMIT = 64;

    private final ObjectMapper mapper = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final AuditFiles files;
    /** {@code pipeline.audit.shared-dir}, or {@code null} for a single instance's chain at {@code pipeline.audit.file}. */
    private final Path sharedDir;
    private final SharedAuditFolder sharedFolder;
    /** With a shared folder: the lock file that keeps this instance's own data folder to one process. */
    private final Path dataLock;
    private final AuditSettings settings;
    private final String instance;
    private final AuditRedactor redactor;
    private final Clock clock;
    private final Map<String, CompletableFuture<Void>> finalRecords = new ConcurrentHashMap<>();
    /** Deployments waiting for their {@code packaged} record, which announces every delivery (write-ahead). */
    private final Map<String, CompletableFuture<Void>> announcements = new ConcurrentHashMap<>();
    private final long minFreeBytes;
    private final java.util.concurrent.atomic.AtomicBoolean resumeQueued = new java.util.concurrent.atomic.AtomicBoolean();
    private final WriterExecutor tapExecutor = new WriterExecutor();

    // Writer state: guarded by this object's monitor.
    private ScheduledExecutorService timer;
    private CheckpointSigner signer;
    private FileChannel channel;
    private FileChannel checkpointChannel;
    private long activeSeq;
    private long activeSize;
    private long activeRecords;
    private LocalDate activeDay;
    private String lastHash;
    private long records;
    private long checkpointedRecords;
    private boolean unforced;
    private boolean closed;
    /** Final records written but not yet forced: their deployments are answered by the next force. */
    private final List<CompletableFuture<Void>> awaitingForce = new ArrayList<>();
    // Written under the monitor, read by metrics without it (a scrape must not wait for an fsync).
    private volatile long appended;
    private volatile long forces;
    private volatile long refused;
    /** Why the log takes no records now, or {@code null}: set by the first failure, cleared by {@link #resume()}. */
    private volatile String unavailable;
    private final jakarta.enterprise.inject.Instance<InterruptedDeployments> interruptions;
    /** Held while this process writes the log; says "running" until a clean close (a crash leaves it so). */
    private ProcessLock lockFile;
    private ProcessLock dataLockFile;
    private boolean uncleanStart;
    /** Guarded by this log's lock, as every write. */
    private final java.util.Set<String> openDeployments = new java.util.HashSet<>();
    private Instant unavailableSince;
    private long unwritten;

    @Inject
    public AuditLog(PipelineConfig config, jakarta.enterprise.inject.Instance<InterruptedDeployments> interruptions) {
        this(config, AuditSettings.from(config.audit()), Clock.systemUTC(), interruptions);
    }

    /** For tests: no other store to ask at recovery. */
    public AuditLog(PipelineConfig config) {
        this(config, AuditSettings.from(config.audit()), Clock.systemUTC(), null);
    }

    /** For tests: explicit settings and clock. */
    AuditLog(PipelineConfig config, AuditSettings settings, Clock clock) {
        this(config, settings, clock, null);
    }

    private AuditLog(PipelineConfig config, AuditSettings settings, Clock clock,
            jakarta.enterprise.inject.Instance<InterruptedDeployments> interruptions) {
        this.interruptions = interruptions;
        PipelineConfig.Audit audit = config.audit();
        this.sharedDir = audit.sharedDir().map(dir -> dir.toAbsolutePath().normalize()).orElse(null);
        this.files = sharedDir == null ? new AuditFiles(audit.file(), audit.checkpointFile(), audit.checkpointKey())
                : sharedFiles(audit, sharedDir);
        this.dataLock = sharedDir == null ? null : lockPath(audit.file().toAbsolutePath().normalize());
        this.sharedFolder = sharedDir == null ? null : new SharedAuditFolder(sharedDir);
        this.settings = settings;
        this.instance = audit.instance();
        this.clock = clock;
        this.minFreeBytes = audit.minFreeSpace().asLongValue();
        List<String> secrets = new ArrayList<>();
        config.subscribers().values().forEach(subscriber -> subscriber.secret().ifPresent(secrets::add));
        this.redactor = new AuditRedactor(secrets);
    }

    /**
     * This instance's chain in the shared folder.
     *
     * @throws IllegalArgumentException naming the key, if the instance id cannot name files there or the
     *                                  checkpoint file is set elsewhere (other instances would not find it)
     */
    private static AuditFiles sharedFiles(PipelineConfig.Audit audit, Path sharedDir) {
        if (!AuditFiles.isSafeInstanceId(audit.instance())) {
            throw new IllegalArgumentException("pipeline.audit.instance=" + audit.instance() + ": with "
                    + "pipeline.audit.shared-dir set, the instance id names this instance's chain in " + sharedDir
                    + ", so it must be 1 to 63 letters, digits, '-' or '_' (no dot), starting with a letter or digit");
        }
        if (audit.checkpointFile().isPresent()) {
            throw new IllegalArgumentException("pipeline.audit.checkpoint-file=" + audit.checkpointFile().get()
                    + ": cannot be set together with pipeline.audit.shared-dir, where every instance finds a chain's "
                    + "checkpoints by its name (audit.<instance>.checkpoints.jsonl)");
        }
        return AuditFiles.shared(sharedDir, audit.instance(), audit.checkpointKey());
    }

    private static Path lockPath(Path log) {
        return log.resolveSibling(log.getFileName() + ".lock");
    }

    /** Opens the log at start-up, so a torn tail is found and reported before the first deployment. */
    void onStart(@Observes StartupEvent event) {
        try {
            synchronized (this) {
                open();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the audit log " + files.active() + " cannot be opened", e);
        }
    }

    /**
     * Chains and appends one record; forces it to disk if it ends a deployment.
     *
     * @throws UncheckedIOException if the log cannot be written (the waiting caller is told too)
     */
    public synchronized void append(AuditRecord record) {
        CompletableFuture<Void> waiting = waiterFor(record);
        try {
            requireSpace();
            open();
            resume();
            write(toJson(record));
            if (waiting != null) {
                awaitingForce.add(waiting);
            }
            if (awaitingForce.size() >= GROUP_COMMIT_LIMIT || !tapExecutor.isWriterThread() || tapExecutor.isIdle()) {
                commit();
            }
        } catch (IOException | RuntimeException e) {
            AuditLogUnavailableException failure = unavailable(e);
            unwritten++;
            refused++;
            Log.debugf("audit log: a %s record of deployment %s could not be written: %s", record.step(),
                    record.deploymentId(), failure.getMessage());
            if (waiting != null) {
                waiting.completeExceptionally(failure);
            }
            failAwaiting(failure);
            throw failure;
        }
    }

    /**
     * The wire tap's form of {@link #append(AuditRecord)}: a record that cannot be written has
     * already failed its waiting deployment and been reported once (not once per record), so the
     * tap itself ends quietly.
     */
    public void tap(AuditRecord record) {
        try {
            append(record);
        } catch (AuditLogUnavailableException e) {
            // told to the deployment waiting for it, to readiness, and logged once by unavailable()
        }
    }

    /**
     * Why the log cannot take records now, for readiness: below the free-space floor, or not yet
     * written again since a failure ({@code null} when it can). Never waits for the writer; when the
     * space has returned, it asks the writer thread to resume.
     */
    public String problem() {
        String space = spaceProblem();
        if (space != null) {
            return space;
        }
        String failed = unavailable;
        if (failed != null && resumeQueued.compareAndSet(false, true)) {
            try {
                tapExecutor.execute(this::resumeNow);
            } catch (RejectedExecutionException e) {
                resumeQueued.set(false);
            }
        }
        return failed;
    }

    /** On the writer thread: reopens and writes the one record of the outage, if space has returned. */
    private synchronized void resumeNow() {
        resumeQueued.set(false);
        if (unavailable == null || closed) {
            return;
        }
        try {
            requireSpace();
            open();
            resume();
        } catch (IOException | RuntimeException e) {
            Log.debugf("audit log: still unavailable: %s", e.toString());
        }
    }

    /** The free-space floor, checked before every write so a full disk refuses cleanly rather than half-way. */
    private void requireSpace() {
        String problem = spaceProblem();
        if (problem != null) {
            throw new AuditLogUnavailableException(problem, null);
        }
    }

    private String spaceProblem() {
        if (minFreeBytes <= 0) {
            return null;
        }
        java.io.File dir = files.dir().toFile();
        // statvfs(2), not Files.getFileStore (which reads the mount table on every call).
        long free = dir.getUsableSpace();
        if (free >= minFreeBytes || !dir.isDirectory()) {
            return null;
        }
        return "the audit log cannot be written: " + free + " bytes free under " + files.dir()
                + ", below the floor of " + minFreeBytes + " bytes (pipeline.audit.min-free-space)";
    }

    /** Marks the log unavailable for {@code cause}; the first failure of an outage is logged at ERROR, the rest not. */
    private AuditLogUnavailableException unavailable(Exception cause) {
        if (cause instanceof AuditLogUnavailableException known && unavailable != null) {
            return known;
        }
        String reason = cause instanceof AuditLogUnavailableException ? cause.getMessage()
                : "the audit log " + files.active() + " cannot be written: " + cause;
        if (unavailable == null) {
            unavailableSince = clock.instant();
            unwritten = 0;
            Log.errorf("%s. No deployment is delivered until records can be written again; readiness is DOWN. "
                    + "Free space under %s (docs/operations.md, \"Audit disk full\").", reason, files.dir());
        }
        unavailable = reason;
        return cause instanceof AuditLogUnavailableException known ? known
                : new AuditLogUnavailableException(reason, cause);
    }

    /**
     * After an outage, once a record can be written again: one {@value AuditStep#LOG_RECOVERED}
     * record saying how long and how many records were lost, forced before anything else.
     */
    private void resume() throws IOException {
        if (unavailable == null) {
            return;
        }
        String detail = outageDetail();
        AuditRecord record = new AuditRecord(now(), null, null, AuditStep.LOG_RECOVERED, AuditRecord.ERROR,
                SERVICE_SOURCE, SYSTEM_ACTOR, detail, null, null, null, files.active().getFileName().toString(), null);
        write(toJson(record));
        force();
        endOutage(detail);
    }

    private String outageDetail() {
        return "the audit log could not be written from " + unavailableSince + " to " + now() + " (" + unavailable
                + "); " + unwritten + " record(s) could not be written, and their deployments failed before "
                + "anything was delivered";
    }

    private void endOutage(String detail) {
        unavailable = null;
        unavailableSince = null;
        unwritten = 0;
        Log.infof("audit log %s writable again: %s", files.active(), detail);
    }

    /**
     * Blocks until the deployment's {@code completed} or {@code failed} record is on disk.
     *
     * @throws IllegalStateException if it could not be written or did not arrive within 30 s
     */
    public void awaitFinalRecord(String deploymentId) {
        await(finalRecords, deploymentId, "ending");
    }

    /**
     * Write-ahead: blocks until the deployment's {@code packaged} record, which announces every
     * delivery and notification that follows, is on disk.
     *
     * @throws AuditLogUnavailableException if it could not be written or did not arrive within 30 s
     */
    public void awaitAnnouncementOf(@ExchangeProperty(Deployment.PROPERTY) Deployment deployment) {
        await(announcements, deployment.id(), "announcing");
    }

    private void await(Map<String, CompletableFuture<Void>> waiting, String deploymentId, String role) {
        CompletableFuture<Void> written = waiting.computeIfAbsent(deploymentId, id -> new CompletableFuture<>());
        try {
            written.get(FINAL_RECORD_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditLogUnavailableException("interrupted while waiting for the audit log", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuditLogUnavailableException unavailable) {
                throw unavailable;
            }
            throw new AuditLogUnavailableException("the audit record " + role + " deployment " + deploymentId
                    + " could not be written: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AuditLogUnavailableException("the audit record " + role + " deployment " + deploymentId
                    + " was not on disk within " + FINAL_RECORD_WAIT_SECONDS + " s", e);
        } finally {
            waiting.remove(deploymentId);
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

    /** The active file, where records are appended. */
    public Path file() {
        return files.active();
    }

    /** Where checkpoints are appended. */
    public Path checkpointFile() {
        return files.checkpoints();
    }

    /** The checkpoint key's public half (X.509 PEM), for auditors. */
    public Path publicKeyFile() {
        return files.publicKey();
    }

    /**
     * Walks the whole chain and every checkpoint as they are at this moment; with a shared folder, every
     * instance's chain in it ({@link AuditChains}).
     *
     * @throws UncheckedIOException if a file cannot be read
     */
    public AuditVerification verify() {
        try (AuditChains chains = chains()) {
            return chains.verify(mapper);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This instance's chain and, with a shared folder, every other chain in it. */
    private AuditChains chains() throws IOException {
        return AuditChains.open(sharedFolder, instance, view());
    }

    /**
     * Records that match {@code filter}, in log order, at most {@code limit}, from {@code cursor}; with a
     * shared folder, of every chain in it ({@link AuditQuery#runAcross}).
     *
     * @throws IllegalArgumentException if the cursor is not one this log gave out
     * @throws UncheckedIOException     if a file cannot be read
     */
    public AuditQuery.Page query(AuditQuery.Filter filter, int limit, String cursor) {
        try (AuditChains chains = chains()) {
            return sharedFolder == null ? AuditQuery.run(chains.views().get(instance), filter, limit, cursor, mapper)
                    : AuditQuery.runAcross(chains, filter, limit, cursor, mapper);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens every file of the log for reading as it is now: taken under the writer's lock, so no
     * rotation or half-written record falls between two files or at the end.
     */
    synchronized AuditView view() throws IOException {
        open();
        List<AuditView.Segment> segments = new ArrayList<>();
        try {
            for (AuditFiles.Rotated rotated : files.rotated()) {
                segments.add(AuditView.Segment.open(rotated.seq(), rotated.path()));
            }
            segments.add(AuditView.Segment.open(activeSeq, files.active()));
            return new AuditView(segments, AuditView.Segment.open(0, files.checkpoints()), signer.key());
        } catch (IOException | RuntimeException e) {
            segments.forEach(AuditView.Segment::close);
            throw e;
        }
    }

    /** The future a deployment waits on for this record, or {@code null} if nobody waits for it. */
    private CompletableFuture<Void> waiterFor(AuditRecord record) {
        Map<String, CompletableFuture<Void>> waiting = record.isFinal() ? finalRecords
                : AuditStep.PACKAGED.equals(record.step()) && record.deploymentId() != null ? announcements : null;
        return waiting == null ? null : waiting.computeIfAbsent(record.deploymentId(), id -> new CompletableFuture<>());
    }

    private ObjectNode toJson(AuditRecord record) {
        ObjectNode line = mapper.createObjectNode();
        line.put("time", record.time());
        line.put("deploymentId", text(record.deploymentId()));
        line.put("policyId", text(record.policyId()));
        line.put("step", record.step());
        line.put("outcome", record.outcome());
        line.put("source", record.source());
        line.put("actor", text(record.actor()));
        line.put("detail", text(record.detail()));
        putIfKnown(line, "version", record.version());
        putIfKnown(line, "packageSha256", record.packageSha256());
        putIfKnown(line, "origin", record.origin());
        putIfKnown(line, "approvedBy", record.approvedBy());
        line.put("instance", instance);
        putIfKnown(line, "routeId", record.routeId());
        return line;
    }

    private void putIfKnown(ObjectNode line, String name, String value) {
        if (value != null) {
            line.put(name, text(value));
        }
    }

    /**
     * Redacted, and Unicode text: a sender's value (a queue's {@code approvedBy} property may be any
     * UTF-16) with a lone surrogate would have no RFC 8785 form, and the record could not be chained.
     */
    private String text(String value) {
        return CanonicalJson.wellFormed(redactor.redact(value));
    }

    /** Chains, rotates if due, appends (unforced: see {@link #commit()}), and signs a checkpoint if due. */
    private void write(ObjectNode line) throws IOException {
        line.put("prevHash", lastHash);
        String hash = chainHash(lastHash, line);
        line.put("hash", hash);
        byte[] bytes = (mapper.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        try {
            if (rotationDue(today, bytes.length)) {
                rotate();
            }
            writeFully(channel, bytes);
            unforced = true;
        } catch (IOException | RuntimeException e) {
            // The file may now end in part of a line: reopen (and so repair the tail) before the next record.
            closeQuietly();
            throw e;
        }
        trackOpen(line);
        activeSize += bytes.length;
        activeRecords++;
        if (activeDay == null) {
            activeDay = today;
        }
        records++;
        appended++;
        lastHash = hash;
        if (settings.checkpointRecords() > 0 && records - checkpointedRecords >= settings.checkpointRecords()) {
            try {
                checkpoint();
            } catch (IOException e) {
                // The record itself is written; the next checkpoint will cover it.
                Log.errorf("audit log %s: could not sign a checkpoint: %s", files.checkpoints(), e.toString());
            }
        }
    }

    private boolean rotationDue(LocalDate today, int nextBytes) {
        if (activeRecords == 0) {
            return false;
        }
        return settings.rotateDaily() && !today.equals(activeDay)
                || settings.rotateBytes() > 0 && activeSize + nextBytes > settings.rotateBytes();
    }

    /** Closes the active file under its rotated name; the next record starts a new active file. */
    private void rotate() throws IOException {
        channel.force(true);
        forces++;
        released();
        channel.close();
        channel = null;
        Path rotated = files.rotatedPath(activeSeq, activeDay);
        if (Files.exists(rotated)) {
            throw new IOException("cannot rotate the audit log: " + rotated + " exists already");
        }
        Files.move(files.active(), rotated, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.forceDirectory(files.dir());
        channel = FileChannel.open(files.active(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        AtomicFiles.forceDirectory(files.dir());
        Log.infof("audit log rotated: %s (%d records) closed; %s continues the chain from %s", rotated.getFileName(),
                activeRecords, files.active().getFileName(), lastHash);
        activeSeq++;
        activeSize = 0;
        activeRecords = 0;
        activeDay = null;
    }

    /** Forces the log, then signs its length and head hash into the checkpoint file. */
    private void checkpoint() throws IOException {
        if (records == checkpointedRecords || channel == null) {
            return;
        }
        force();
        Checkpoint checkpoint = new Checkpoint(now(), records, lastHash, instance, null, null).signedWith(signer, mapper);
        writeFully(checkpointChannel, (mapper.writeValueAsString(checkpoint.toJson(mapper)) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        checkpointChannel.force(false);
        checkpointedRecords = records;
    }

    /** Periodic work on the writer thread: forcing for {@code fsync=<interval>}, timed checkpoints. */
    private synchronized void onTimer(boolean sync, boolean sign) {
        if (channel == null || closed) {
            return;
        }
        try {
            if (sync && unforced) {
                force();
            }
            if (sign) {
                checkpoint();
            }
        } catch (IOException e) {
            Log.errorf("audit log %s: periodic force or checkpoint failed: %s", files.active(), e.toString());
        }
    }

    /**
     * The group commit: forces what is unforced when {@code pipeline.audit.fsync=always} or a
     * deployment waits, and answers every deployment waiting. A failed force fails them all and
     * closes the file, so the next record reopens it and repairs the tail.
     */
    private void commit() throws IOException {
        if (unforced && (settings.fsyncInterval() == null || !awaitingForce.isEmpty())) {
            force();
        } else if (!unforced) {
            released();
        }
    }

    private void force() throws IOException {
        try {
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            // After a failed fsync the written pages may be lost: no waiting deployment may count on them.
            closeQuietly();
            failAwaiting(e);
            throw e;
        }
        forces++;
        released();
    }

    /** Everything written is on disk: the deployments waiting for it may answer. */
    private void released() {
        unforced = false;
        awaitingForce.forEach(written -> written.complete(null));
        awaitingForce.clear();
    }

    private void failAwaiting(Exception cause) {
        awaitingForce.forEach(written -> written.completeExceptionally(cause));
        awaitingForce.clear();
    }

    /** Runs on the writer thread when it has nothing queued: forces what a deployment still waits for. */
    private synchronized void onIdle() {
        if (channel == null) {
            return;
        }
        try {
            commit();
        } catch (IOException | RuntimeException e) {
            // force() has failed the waiting deployments already; readiness goes DOWN until a record is written
            unavailable(e);
        }
    }

    /** Records appended since start-up, and the forces (fsyncs) that put them on disk: for metrics. */
    public long records() {
        return appended;
    }

    /** @see #records() */
    public long forces() {
        return forces;
    }

    /** Records that could not be written since start-up (each failed its deployment before delivery): for metrics. */
    public long refused() {
        return refused;
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /**
     * Opens the files once (again after a failed write): repairs a torn tail, finds the chain's head
     * in the newest file, counts the records, and continues from there.
     */
    private void open() throws IOException {
        if (channel != null) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("the audit log is closed");
        }
        Files.createDirectories(files.dir());
        lock();
        if (signer == null) {
            try {
                signer = CheckpointSigner.loadOrCreate(files.privateKey(), files.publicKey());
            } catch (GeneralSecurityException e) {
                throw new IOException("audit checkpoint key " + files.privateKey() + ": " + e.getMessage(), e);
            }
        }
        Instant now = clock.instant();
        TailRecovery.Tail logTail = TailRecovery.scan(files.active(), this::isWholeRecord);
        TailRecovery.Torn tornLog = logTail.torn() || logTail.missingNewline()
                ? TailRecovery.repair(files.active(), logTail, now) : null;
        TailRecovery.Tail checkpointTail = TailRecovery.scan(files.checkpoints(), this::isCheckpoint);
        TailRecovery.Torn tornCheckpoints = checkpointTail.torn() || checkpointTail.missingNewline()
                ? TailRecovery.repair(files.checkpoints(), checkpointTail, now) : null;

        List<AuditFiles.Rotated> rotated = files.rotated();
        activeSeq = rotated.isEmpty() ? 1 : rotated.get(rotated.size() - 1).seq() + 1;
        records = 0;
        for (AuditFiles.Rotated file : rotated) {
            records += AuditLines.countLines(file.path());
        }
        activeRecords = Files.exists(files.active()) ? AuditLines.countLines(files.active()) : 0;
        activeSize = Files.exists(files.active()) ? Files.size(files.active()) : 0;
        records += activeRecords;
        activeDay = activeRecords == 0 ? null : firstRecordDay(files.active(), now);
        lastHash = headHash(logTail, rotated);

        Checkpoint lastCheckpoint = checkpointTail.lastGood() == null ? null
                : Checkpoint.parse(mapper.readTree(checkpointTail.lastGood()));
        checkpointedRecords = lastCheckpoint == null ? 0 : Math.min(records, lastCheckpoint.records());
        if (lastCheckpoint != null && lastCheckpoint.records() > records) {
            Log.errorf("audit log %s holds %d record(s) but checkpoint of %s signed %d: records were cut off; "
                    + "GET /api/audit/verify for details", files.active(), records, lastCheckpoint.time(),
                    lastCheckpoint.records());
        }

        channel = FileChannel.open(files.active(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        if (checkpointChannel == null) {
            checkpointChannel = FileChannel.open(files.checkpoints(), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        AtomicFiles.forceDirectory(files.dir());
        Log.infof("audit log %s open: %d record(s) in %d file(s); chain continues from %s", files.active(),
                records, rotated.size() + 1, lastHash);
        if (logTail.missingNewline()) {
            Log.warnf("audit log %s: the last record lacked its line end; added", files.active());
        }
        if (tornLog != null || tornCheckpoints != null) {
            reportRecovery(tornLog, tornCheckpoints);
        }
        if (uncleanStart) {
            uncleanStart = false;
            recordInterrupted(rotated);
        }
        startTimer();
    }

    /** The hash the next record chains to: the active file's last good record, else the newest rotated file's. */
    private String headHash(TailRecovery.Tail activeTail, List<AuditFiles.Rotated> rotated) throws IOException {
        if (activeTail.lastGood() != null) {
            return mapper.readTree(activeTail.lastGood()).get("hash").asText();
        }
        for (int i = rotated.size() - 1; i >= 0; i--) {
            TailRecovery.Tail tail = TailRecovery.scan(rotated.get(i).path(), this::isWholeRecord);
            if (tail.lastGood() != null) {
                if (tail.goodEnd() < tail.size()) {
                    Log.errorf("audit log: rotated file %s ends in %d byte(s) that are not a record; "
                            + "GET /api/audit/verify for details", rotated.get(i).path(), tail.size() - tail.goodEnd());
                }
                return mapper.readTree(tail.lastGood()).get("hash").asText();
            }
        }
        return GENESIS_HASH;
    }

    /**
     * Takes the log's lock file ({@code <log>.lock}) once per process: refuses when another live
     * process holds it (naming its pid), and notes whether the last holder ended without a clean close.
     */
    private void lock() throws IOException {
        if (lockFile != null) {
            return;
        }
        if (dataLock != null && dataLockFile == null) {
            // The data folder stays one process's, as without a shared folder (checked first, for the same message).
            dataLockFile = ProcessLock.acquire(dataLock, "the data folder " + dataLock.getParent());
        }
        Path file = lockPath(files.active());
        lockFile = sharedDir == null ? ProcessLock.acquire(file, "the audit log " + files.active().toAbsolutePath())
                : ProcessLock.acquire(file, "the audit chain of instance " + instance + " in the shared audit folder "
                        + sharedDir, "give each instance its own pipeline.audit.instance");
        // null: this JVM holds it already (a test opening the same log twice)
        uncleanStart = lockFile != null && lockFile.previous().startsWith("running");
    }

    /** At a clean close: the lock files say so, then the locks are released. */
    /**
     * Deployments of this run begun ({@code received}, every deployment's first record) and not closed
     * yet: only those in flight, so the set stays small. A record after the end (an outbox retry's
     * {@code notify-failed}) does not reopen one.
     */
    private void trackOpen(ObjectNode line) {
        String id = line.path("deploymentId").asText(null);
        if (id == null || id.isEmpty()) {
            return;
        }
        String step = line.path("step").asText();
        if (AuditStep.closes(step)) {
            openDeployments.remove(id);
        } else if (AuditStep.RECEIVED.equals(step)) {
            openDeployments.add(id);
        }
    }

    private void unlock() {
        if (lockFile != null && !openDeployments.isEmpty()) {
            // Not a clean end for them: the next start finds "running" and ends them interrupted.
            try {
                lockFile.write("running; stopped at " + now() + " with " + openDeployments.size()
                        + " deployment(s) still open (pipeline.shutdown-timeout ran out)");
                lockFile.close();
            } catch (IOException e) {
                Log.warnf("audit log: could not mark the lock file: %s", e.toString());
            }
            Log.warnf("audit log: stopped with %d deployment(s) still open; the next start records them interrupted",
                    openDeployments.size());
            lockFile = null;
        }
        release(lockFile);
        lockFile = null;
        release(dataLockFile);
        dataLockFile = null;
    }

    private void release(ProcessLock lock) {
        if (lock == null) {
            return;
        }
        try {
            lock.write("closed " + now());
            lock.close();
        } catch (IOException e) {
            Log.warnf("audit log: could not mark the lock file %s closed: %s", lock.file(), e.toString());
        }
    }

    /**
     * After a crash: every deployment of the newest two files without a final record gets one,
     * {@value AuditStep#INTERRUPTED}, with what the ledger knows, before any new work is written.
     */
    private void recordInterrupted(List<AuditFiles.Rotated> rotated) throws IOException {
        Map<String, JsonNode> open = new java.util.LinkedHashMap<>();
        java.util.Set<String> closed = new java.util.HashSet<>();
        List<Path> scan = new ArrayList<>();
        if (!rotated.isEmpty()) {
            scan.add(rotated.get(rotated.size() - 1).path());
        }
        scan.add(files.active());
        for (Path file : scan) {
            if (!Files.exists(file)) {
                continue;
            }
            try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
                AuditLines.forEach(read, 0, read.size(), (offset, line, terminated) -> {
                    try {
                        JsonNode record = mapper.readTree(line);
                        String id = record.path("deploymentId").asText(null);
                        if (id == null || id.isEmpty()) {
                            return true;
                        }
                        String step = record.path("step").asText();
                        if (AuditStep.closes(step)) {
                            open.remove(id);
                            closed.add(id);
                        } else if (!closed.contains(id) || AuditStep.RECEIVED.equals(step)) {
                            // After its end, only a new received (a scheduled activation beginning)
                            // reopens a deployment; an outbox retry's notify-failed does not.
                            closed.remove(id);
                            open.put(id, record);
                        }
                    } catch (IOException | RuntimeException e) {
                        // not a record: verification reports it
                    }
                    return true;
                });
            }
        }
        for (JsonNode last : open.values()) {
            String id = last.path("deploymentId").asText();
            String known = interruptions == null || !interruptions.isResolvable()
                    ? "no store was asked which targets got the package" : interruptions.get().interrupted(id);
            String detail = "the service stopped (a crash, a kill, or a stop that outlasted pipeline.shutdown-timeout)"
                    + " during this deployment, after its "
                    + last.path("step").asText() + " record and before its end was recorded; " + known
                    + "; a source that retries (inbox, queue) may deliver the policy again under a new deployment id";
            Log.warnf("deployment %s: interrupted by the previous run's crash: %s", id, detail);
            write(toJson(new AuditRecord(now(), id, text(last, "policyId"), AuditStep.INTERRUPTED, AuditRecord.ERROR,
                    text(last, "source"), text(last, "actor"), detail, text(last, "version"),
                    text(last, "packageSha256"), text(last, "routeId"), text(last, "origin"), text(last, "approvedBy"))));
        }
        if (!open.isEmpty()) {
            force();
        }
    }

    private static String text(JsonNode record, String field) {
        JsonNode value = record.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** Writes the {@value AuditStep#LOG_RECOVERED} record that tells what start-up set aside. */
    private void reportRecovery(TailRecovery.Torn tornLog, TailRecovery.Torn tornCheckpoints) throws IOException {
        StringBuilder detail = new StringBuilder("the log was not closed cleanly (a crash, or a failed write): ");
        if (tornLog != null) {
            detail.append("a torn tail of ").append(tornLog.bytes()).append(" byte(s) (sha256 ").append(tornLog.sha256())
                    .append(") after record ").append(records).append(" of ").append(files.active().getFileName())
                    .append(" was moved to ").append(tornLog.keptAt().getFileName()).append("; ");
        }
        if (tornCheckpoints != null) {
            detail.append("a torn tail of ").append(tornCheckpoints.bytes()).append(" byte(s) (sha256 ")
                    .append(tornCheckpoints.sha256()).append(") of ").append(files.checkpoints().getFileName())
                    .append(" was moved to ").append(tornCheckpoints.keptAt().getFileName()).append("; ");
        }
        detail.append("the chain continues from the last good record ").append(lastHash);
        boolean outage = unavailable != null;
        if (outage) {
            // One record for the outage and what it left behind.
            detail.append("; ").append(outageDetail());
        }
        Log.errorf("audit log: %s", detail);
        AuditRecord record = new AuditRecord(now(), null, null, AuditStep.LOG_RECOVERED, AuditRecord.ERROR,
                SERVICE_SOURCE, SYSTEM_ACTOR, detail.toString(), null, null, null,
                files.active().getFileName().toString(), null);
        write(toJson(record));
        force();
        if (outage) {
            endOutage(detail.toString());
        }
    }

    private void startTimer() {
        if (timer != null || settings.fsyncInterval() == null && settings.checkpointInterval() == null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "audit-timer");
            thread.setDaemon(true);
            return thread;
        });
        schedule(settings.fsyncInterval(), true, false);
        schedule(settings.checkpointInterval(), false, true);
    }

    /** The work itself is handed to the writer thread, so it queues behind records already tapped. */
    private void schedule(Duration every, boolean sync, boolean sign) {
        if (every == null) {
            return;
        }
        long millis = Math.max(1, every.toMillis());
        timer.scheduleAtFixedRate(() -> {
            try {
                tapExecutor.execute(() -> onTimer(sync, sign));
            } catch (RejectedExecutionException e) {
                // shutting down: close() forces and signs a last time
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    private boolean isWholeRecord(byte[] line) {
        try {
            JsonNode node = mapper.readTree(line);
            if (node == null || !node.isObject() || !node.path("hash").isTextual() || !node.path("prevHash").isTextual()) {
                return false;
            }
            ObjectNode withoutHash = ((ObjectNode) node).deepCopy();
            String hash = withoutHash.remove("hash").asText();
            return hash.equals(chainHash(node.get("prevHash").asText(), withoutHash));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private boolean isCheckpoint(byte[] line) {
        try {
            Checkpoint.parse(mapper.readTree(line));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private LocalDate firstRecordDay(Path file, Instant fallback) throws IOException {
        LocalDate[] day = {LocalDate.ofInstant(fallback, ZoneOffset.UTC)};
        try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
            AuditLines.forEach(read, 0, read.size(), (offset, line, terminated) -> {
                try {
                    day[0] = LocalDate.ofInstant(Instant.parse(mapper.readTree(line).path("time").asText()),
                            ZoneOffset.UTC);
                } catch (IOException | RuntimeException e) {
                    // not a time: keep today's date for the rotated name
                }
                return false;
            });
        }
        return day[0];
    }

    private static void writeFully(FileChannel target, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            target.write(buffer);
        }
    }

    private void closeQuietly() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            Log.debugf("audit log: closing after a failed write: %s", e.toString());
        }
        channel = null;
    }

    /**
     * On shutdown (after Camel has stopped and drained its routes, as Quarkus destroys beans last):
     * write every record already tapped, sign a last checkpoint, then force and close the files.
     */
    @PreDestroy
    void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        tapExecutor.shutdown();
        try {
            if (!tapExecutor.awaitTermination(SHUTDOWN_DRAIN_SECONDS, TimeUnit.SECONDS)) {
                Log.errorf("audit log %s: records still queued after %d s at shutdown", files.active(),
                        SHUTDOWN_DRAIN_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            closed = true;
            try {
                if (channel != null) {
                    checkpoint();
                    channel.force(true);
                    released();
                    channel.close();
                }
                if (checkpointChannel != null) {
                    checkpointChannel.force(true);
                    checkpointChannel.close();
                }
                Log.infof("audit log %s closed at %d record(s), head %s", files.active(), records, lastHash);
            } catch (IOException e) {
                Log.errorf("audit log %s: could not close cleanly: %s", files.active(), e.toString());
            }
            channel = null;
            checkpointChannel = null;
            unlock();
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

    /** One thread, FIFO; after each task it commits if nothing else is queued. */
    private final class WriterExecutor extends ThreadPoolExecutor {

        private volatile Thread writer;

        WriterExecutor() {
            super(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
            setThreadFactory(runnable -> {
                Thread thread = new Thread(runnable, "audit-writer");
                writer = thread;
                return thread;
            });
        }

        boolean isWriterThread() {
            return Thread.currentThread() == writer;
        }

        boolean isIdle() {
            return getQueue().isEmpty();
        }

        @Override
        protected void afterExecute(Runnable task, Throwable failure) {
            if (isIdle()) {
                onIdle();
            }
        }
    }
}
