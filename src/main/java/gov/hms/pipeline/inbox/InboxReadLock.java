package gov.hms.pipeline.inbox;

import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.logging.Log;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileOperations;
import org.apache.camel.component.file.strategy.MarkerFileExclusiveReadLockStrategy;

/**
 * The inbox's read lock ({@code exclusiveReadLockStrategy}): a file is read only once nothing has
 * touched it for {@code pipeline.inbox.quiet-period}, judged by the operating system's change time
 * ({@code ctime}: every write, rename or attribute change sets it to "now", and unlike the modification
 * time it cannot be set back by {@code cp -p} or {@code touch -d}). Where the file system has no
 * change time, the modification time is used instead.
 * <p>
 * Unlike Camel's {@code readLock=changed}, which sleeps on the consumer thread for every file, a file
 * that is not ready yet is simply skipped and looked at again on the next poll, so 500 files dropped
 * at once cost one quiet period, not 500. A file waiting for its next deploy attempt
 * ({@link InboxRetries}) is skipped the same way. Once a file is ready, its claim in the ledger
 * ({@link InboxClaims}) keeps every other consumer off it, in this instance or in another sharing the
 * folder: released once the file has been moved (commit) or given up (abort), kept while the file
 * waits in the inbox for its next attempt (rollback). Camel's marker files ({@code <name>.camelLock})
 * are no longer written (a marker left by a dead instance would hold the file until someone removed
 * it); orphans of earlier versions are still removed at start-up.
 */
@Singleton
@Named("inboxReadLock")
public class InboxReadLock extends MarkerFileExclusiveReadLockStrategy {

    private final Duration quietPeriod;
    private final InboxRetries retries;
    /** What a JVM lists for each byte of a file name that its charset cannot decode (REPLACEMENT CHARACTER). */
    private static final char UNDECODABLE = '\uFFFD';

    private final Set<String> unreadableNames = ConcurrentHashMap.newKeySet();

    private final InboxClaims claims;

    public InboxReadLock(PipelineConfig config, InboxRetries retries, InboxClaims claims) {
        this.quietPeriod = config.inbox().quietPeriod();
        this.retries = retries;
        this.claims = claims;
    }

    /** @return {@code true} if the file is quiet and its marker file was created, else {@code false} (skip for now) */
    @Override
    public boolean acquireExclusiveReadLock(GenericFileOperations<File> operations, GenericFile<File> file,
            Exchange exchange) throws Exception {
        Path path;
        try {
            path = Path.of(file.getAbsoluteFilePath());
        } catch (InvalidPathException e) {
            warnUnreadable(file.getAbsoluteFilePath());
            return false;
        }
        Instant now = Instant.now();
        if (retries.isWaiting(path, now)) {
            return false;
        }
        Duration quietFor;
        try {
            quietFor = Duration.between(lastChange(path).toInstant(), now);
        } catch (NoSuchFileException e) {
            // Gone (taken by someone else), or a name this JVM decoded lossily and cannot find again.
            if (!InboxNames.JVM_FILE_NAMES_ARE_UTF8) {
                warnUnreadable(file.getAbsoluteFilePath());
            } else if (file.getFileNameOnly().indexOf(UNDECODABLE) >= 0) {
                warnUndecodable(path);
            }
            return false;
        }
        if (quietFor.compareTo(quietPeriod) < 0) {
            Log.debugf("inbox: %s changed %d ms ago; waiting for %s of quiet", file.getFileNameOnly(),
                    quietFor.toMillis(), quietPeriod);
            return false;
        }
        String name = file.getRelativeFilePath();
        if (!claims.claim(name)) {
            Log.debugf("inbox: %s is claimed by another instance", name);
            return false;
        }
        if (!Files.exists(path)) {
            // Another instance deployed and moved it between this poll's listing and the claim.
            claims.release(name);
            return false;
        }
        return true;
    }

    /** The file has been moved to the done or failed folder: the claim goes. */
    @Override
    public void releaseExclusiveReadLockOnCommit(GenericFileOperations<File> operations, GenericFile<File> file,
            Exchange exchange) throws Exception {
        super.releaseExclusiveReadLockOnCommit(operations, file, exchange);
        claims.release(file.getRelativeFilePath());
    }

    @Override
    public void releaseExclusiveReadLockOnAbort(GenericFileOperations<File> operations, GenericFile<File> file,
            Exchange exchange) throws Exception {
        super.releaseExclusiveReadLockOnAbort(operations, file, exchange);
        claims.release(file.getRelativeFilePath());
    }

    /** The change time where the file system has one, else the modification time. */
    static FileTime lastChange(Path path) throws IOException {
        try {
            return (FileTime) Files.getAttribute(path, "unix:ctime");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return Files.getLastModifiedTime(path);
        }
    }

    /**
     * A name that is not valid UTF-8 under a UTF-8 locale: the JVM lists it with U+FFFD for each bad byte,
     * and that decoded name leads nowhere (U+FFFD encodes as other bytes), so the file can never be read.
     * Said once per name, with its folder: the name itself cannot be shown as it is.
     */
    private void warnUndecodable(Path lossy) {
        if (unreadableNames.add(lossy.toString())) {
            Log.warnf("inbox: a file name in %s could not be decoded as UTF-8 (shown as '%s', each undecodable byte as"
                    + " U+FFFD): the file cannot be read and stays in the inbox. Rename it to a UTF-8 name, e.g."
                    + " with convmv or by hand", lossy.getParent(), lossy.getFileName());
        }
    }

    private void warnUnreadable(String name) {
        if (unreadableNames.add(name)) {
            Log.warnf("inbox: cannot read file %s: its name cannot be decoded in this JVM's file name charset %s;"
                    + " the file stays in the inbox. Start the service with a UTF-8 locale (e.g. LC_ALL=C.UTF-8)",
                    name, System.getProperty("sun.jnu.encoding"));
        }
    }
}
