package gov.hms.pipeline.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.ledger.UnchangedPolicyException;
import gov.hms.pipeline.storage.AtomicFiles;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.file.GenericFile;

/**
 * The inbox's side of the one deploy path (routes/inbox-ingest.camel.yaml): reads a picked-up file
 * once, describes it as a {@link Deployment} (source {@code file}, actor = the file's owner, origin =
 * its name), and after {@code direct:deploy} decides where the file goes:
 * <ul>
 * <li>success or duplicate: the done folder, under a name with a time suffix, with {@code <name>.result.json}
 * beside it holding the JSON the HTTP endpoint would answer (deployment id, targets reached);</li>
 * <li>permanent failure (the deploy answered 4xx: unreadable, empty, too large, invalid): the failed
 * folder at once, with {@code <name>.error.json} holding the JSON the HTTP endpoint would answer;</li>
 * <li>transient failure (502: a target did not take it; 500: internal error): the file stays in the
 * inbox and is deployed again after a backoff ({@link InboxRetries}); when the attempts run out, the
 * failed folder as above.</li>
 * </ul>
 * Every move is done by the file consumer itself ({@code move}) once the route is done; until then
 * the file stays where it was dropped, so a crash at any point leaves it in the inbox.
 */
@ApplicationScoped
@Named("inboxFiles")
public class InboxFiles {

    /** Exchange property: the absolute path the file consumer moves the file to when the route is done. */
    public static final String DESTINATION = "inboxDestination";

    static final String ERROR_SUFFIX = ".error.json";

    static final String RESULT_SUFFIX = ".result.json";

    /** A policy file's detached JWS (RFC 7515 appendix F) sidecar: {@code <name>.jws}. */
    static final String SIDECAR_SUFFIX = ".jws";

    /** Files up to this size are read whole; larger ones this far, enough to be rejected as too large. */
    private static final int ALWAYS_READ_BYTES = 16 * 1024 * 1024;

    private final PipelineConfig.Inbox inbox;
    private final InboxRetries retries;
    private final Path doneDir;
    private final Path failedDir;
    private final int readLimit;
    private final ObjectMapper mapper = new ObjectMapper();

    public InboxFiles(PipelineConfig config, InboxRetries retries) {
        this.inbox = config.inbox();
        this.retries = retries;
        Path dir = inbox.dir().toAbsolutePath().normalize();
        this.doneDir = inbox.doneDir().orElse(dir.resolve(".done")).toAbsolutePath().normalize();
        this.failedDir = inbox.failedDir().orElse(dir.resolve(".failed")).toAbsolutePath().normalize();
        this.readLimit = Math.max(ALWAYS_READ_BYTES, config.validation().maxBytes() + 1);
    }

    void announce(@Observes StartupEvent started) {
        if (!inbox.enabled()) {
            Log.info("inbox: disabled (pipeline.inbox.enabled=false)");
            return;
        }
        Log.infof("inbox: watching %s (done: %s, failed: %s, quiet period %s)", inbox.dir().toAbsolutePath(),
                doneDir, failedDir, inbox.quietPeriod());
        if (!InboxNames.JVM_FILE_NAMES_ARE_UTF8) {
            Log.warnf("inbox: this JVM reads file names as %s, not UTF-8 (its locale has no UTF-8 character type):"
                    + " files whose names are not plain ASCII cannot be read and stay in the inbox."
                    + " Start the service with a UTF-8 locale, e.g. LC_ALL=C.UTF-8", System.getProperty("sun.jnu.encoding"));
        }
    }

    /**
     * First step for every file: reads it once (name, size, owner, content) into the
     * {@value InboxFile#PROPERTY} property, then makes the body its bytes and the
     * {@value Deployment#PROPERTY} property a new deployment that asks {@code direct:deploy} to skip a
     * policy the inbox already deployed.
     *
     * @throws UncheckedIOException if the file cannot be read
     */
    public void admit(Exchange exchange) {
        GenericFile<?> picked = exchange.getMessage().getBody(GenericFile.class);
        Path path = Path.of(picked.getAbsoluteFilePath());
        InboxFile file;
        String nonRegularType;
        try {
            nonRegularType = InboxEntryType.nonRegularType(path);
            file = nonRegularType == null ? read(picked.getFileNameOnly(), path)
                    : new InboxFile(picked.getFileNameOnly(), path, 0, ownerOf(path), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read inbox file " + path, e);
        }
        Deployment deployment = describe(exchange, file, nonRegularType);
        int attempt = retries.nextAttempt(path);
        exchange.setProperty(gov.hms.pipeline.delivery.TargetDelivery.SOURCE_RETRIES, attempt < retries.maxAttempts());
        if (nonRegularType != null) {
            Log.infof("inbox: picked up %s, which is not a regular file (%s, owner %s): refusing it unopened as"
                    + " deployment %s", file.quotedName(), nonRegularType, file.owner(), deployment.id());
        } else if (attempt == 1) {
            Log.infof("inbox: picked up %s (%d bytes, owner %s) as deployment %s", file.quotedName(), file.size(),
                    file.owner(), deployment.id());
        } else {
            Log.infof("inbox: picked up %s again as deployment %s (attempt %d of %d)", file.quotedName(),
                    deployment.id(), attempt, retries.maxAttempts());
        }
    }

    /**
     * An inbox entry that is not a regular file and that the file consumer never lists (a directory named
     * like a policy, a link to one, a dangling link: {@link InboxStrays}), as {@link #admit} would describe it.
     */
    Deployment admitStray(Exchange exchange, String name, Path path, String nonRegularType) {
        InboxFile file = new InboxFile(name, path, 0, ownerOf(path), new byte[0]);
        Deployment deployment = describe(exchange, file, nonRegularType);
        Log.infof("inbox: found %s, which is not a regular file (%s, owner %s): refusing it unopened as deployment %s",
                file.quotedName(), nonRegularType, file.owner(), deployment.id());
        return deployment;
    }

    /** Sets the {@value InboxFile#PROPERTY} and {@value Deployment#PROPERTY} properties and the body (the file's bytes). */
    private static Deployment describe(Exchange exchange, InboxFile file, String nonRegularType) {
        exchange.setProperty(InboxFile.PROPERTY, file);
        // A non-regular entry is declared as its inode media type, which direct:deploy refuses (415) before
        // anything else, audited and answered like every refused file; it is never opened.
        Deployment deployment = new Deployment(Source.FILE, file.owner(), "inbox file " + file.quotedName(), nonRegularType)
                .signature(nonRegularType == null ? sidecarSignature(file.path()) : null);
        exchange.setProperty(Deployment.PROPERTY, deployment);
        exchange.getMessage().setBody(file.bytes());
        return deployment;
    }

    /**
     * Reads a regular file, opened without following a link ({@code O_NOFOLLOW}): had it been swapped for
     * a link since {@link InboxEntryType} looked at it, the open fails instead of reading the link's target.
     */
    private InboxFile read(String name, Path path) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                InputStream in = Channels.newInputStream(channel)) {
            return new InboxFile(name, path, channel.size(), ownerOf(path), in.readNBytes(readLimit));
        }
    }

    /** Largest sidecar read: a compact JWS of any accepted algorithm is far smaller. */
    private static final int MAX_SIDECAR_BYTES = 16 * 1024;

    /** The detached JWS sidecar of a policy file: {@code <name>.jws} beside it. */
    static Path sidecarOf(Path policyFile) {
        return policyFile.resolveSibling(policyFile.getFileName() + SIDECAR_SUFFIX);
    }

    /** The sidecar's content, or {@code null} if there is none (an unreadable one is treated as absent). */
    private static String sidecarSignature(Path policyFile) {
        Path sidecar = sidecarOf(policyFile);
        if (!Files.isRegularFile(sidecar, LinkOption.NOFOLLOW_LINKS)) {
            return null; // a link is never followed, here either
        }
        try (InputStream in = Files.newInputStream(sidecar, LinkOption.NOFOLLOW_LINKS)) {
            return new String(in.readNBytes(MAX_SIDECAR_BYTES), java.nio.charset.StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            Log.warnf("inbox: cannot read signature sidecar %s: %s", sidecar.getFileName(), e.toString());
            return null;
        }
    }

    /** Moves a policy file's sidecar next to where the file itself is going (done or failed). */
    private static void moveSidecar(InboxFile file, String destination) {
        Path sidecar = sidecarOf(file.path());
        if (destination == null || !Files.isRegularFile(sidecar)) {
            return;
        }
        try {
            Path target = Path.of(destination + SIDECAR_SUFFIX);
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.move(sidecar, target);
        } catch (IOException e) {
            Log.warnf("inbox: could not move signature sidecar %s: %s", sidecar.getFileName(), e.toString());
        }
    }

    /**
     * After {@code direct:deploy}: lets a success or a permanent failure go on to {@link #settle}, and
     * so does the last failed attempt.
     *
     * @throws InboxRetryException if the deployment failed with 5xx and attempts are left: the route
     *                             fails, the file consumer leaves the file in the inbox, and
     *                             {@link InboxReadLock} holds it back until its next attempt is due
     */
    public void requireSettled(Exchange exchange) {
        DeploymentResult result = exchange.getMessage().getBody(DeploymentResult.class);
        if (result.succeeded() || result.httpStatus() < 500) {
            return;
        }
        InboxFile file = exchange.getProperty(InboxFile.PROPERTY, InboxFile.class);
        int attempt = retries.nextAttempt(file.path());
        Duration delay = retries.failed(file.path(), Instant.now());
        if (delay == null) {
            return;
        }
        Log.warnf("inbox: %s failed as deployment %s (HTTP %d: %s), attempt %d of %d; it stays in the inbox and is"
                + " tried again in %d s", file.quotedName(), result.deploymentId(), result.httpStatus(), result.error(),
                attempt, retries.maxAttempts(), Math.max(1, delay.toSeconds()));
        throw new InboxRetryException(result);
    }

    /**
     * Last step for every file: chooses its {@value #DESTINATION} from the deployment's result (done or
     * failed folder), writes {@code <name>.result.json} beside a deployed one or {@code <name>.error.json}
     * beside a failed one, and logs the outcome.
     */
    public void settle(Exchange exchange) {
        InboxFile file = exchange.getProperty(InboxFile.PROPERTY, InboxFile.class);
        DeploymentResult result = exchange.getMessage().getBody(DeploymentResult.class);
        retries.forget(file.path());
        Instant now = Instant.now();
        if (result.succeeded()) {
            Path done = InboxNames.uniqueIn(doneDir, file.name(), now, RESULT_SUFFIX);
            writeBeside(done, RESULT_SUFFIX, result);
            exchange.setProperty(DESTINATION, done.toString());
            boolean duplicate = UnchangedPolicyException.endedUnchanged(exchange);
            Log.infof("inbox: %s %s as deployment %s (policy %s); moving it to %s", file.quotedName(),
                    duplicate ? "is already live at every target, nothing delivered," : "deployed", result.deploymentId(),
                    result.policyId(), done);
            moveSidecar(file, done.toString());
            return;
        }
        Path failed = moveToFailed(exchange, file.name(), result);
        moveSidecar(file, failed.toString());
        Log.warnf("inbox: %s failed as deployment %s (HTTP %d: %s); moving it to %s with %s", file.quotedName(),
                result.deploymentId(), result.httpStatus(), result.error(), failed, failed.getFileName() + ERROR_SUFFIX);
    }

    /**
     * Handler of anything the inbox route itself could not do (a file that cannot be read, a bug): the
     * failed folder, with an internal-error result as {@code <name>.error.json}.
     *
     * @throws IllegalStateException while the service shuts down: an error then is most likely the
     *                               shutdown's, so the route fails and the file stays in the inbox
     */
    public void failedUnexpectedly(Exchange exchange) {
        ServiceStatus status = exchange.getContext().getStatus();
        if (status.isStopping() || status.isStopped()) {
            throw new IllegalStateException("the service is stopping; the file stays in the inbox",
                    exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        }
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        InboxFile file = exchange.getProperty(InboxFile.PROPERTY, InboxFile.class);
        if (name == null && file != null) {
            name = file.name();
        }
        if (file != null) {
            retries.forget(file.path());
        }
        Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
        String deploymentId = deployment == null ? null : deployment.id();
        DeploymentResult result = new DeploymentResult(DeploymentResult.FAILURE,
                "Internal error; see the service log for inbox file '" + name + "'", null, deploymentId, null, null,
                null, null, null, null, null, 500);
        Path failed = moveToFailed(exchange, name, result);
        Log.errorf(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class),
                "inbox: '%s' could not be processed (deployment %s); moving it to %s", name, deploymentId, failed);
    }

    /** Picks a free name in the failed folder, writes the error file beside it and makes it the destination. */
    private Path moveToFailed(Exchange exchange, String name, DeploymentResult result) {
        Path failed = InboxNames.uniqueIn(failedDir, name, Instant.now(), ERROR_SUFFIX);
        writeBeside(failed, ERROR_SUFFIX, result);
        exchange.setProperty(DESTINATION, failed.toString());
        return failed;
    }

    /**
     * Writes the result JSON as {@code <file><suffix>} beside where the file is going, before it goes there:
     * whole or absent, never half-written (a temporary name renamed into place). Not forced to disk, like
     * the file's own move.
     */
    private void writeBeside(Path settledFile, String suffix, DeploymentResult result) {
        Path companion = settledFile.resolveSibling(settledFile.getFileName() + suffix);
        try {
            AtomicFiles.writeUnforced(companion, mapper.writeValueAsBytes(result));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a DeploymentResult is always writable as JSON", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + companion, e);
        }
    }

    private static String ownerOf(Path path) {
        try {
            return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }
}
