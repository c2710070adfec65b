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
 * ({@link InboxRetries}) is skipped the same way. Once a file is ready, Camel's marker file
 * ({@code <name>.camelLock}, removed again after processing; orphans removed at start-up) keeps a
 * second consumer off it.
 */
@Singleton
@Named("inboxReadLock")
public class InboxReadLock extends MarkerFileExclusiveReadLockStrategy {

    private final Duration quietPeriod;
    private final InboxRetries retries;
    private final Set<String> unreadableNames = ConcurrentHashMap.newKeySet();

    public InboxReadLock(PipelineConfig config, InboxRetries retries) {
        this.quietPeriod = config.inbox().quietPeriod();
        this.retries = retries;
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
            }
            return false;
        }
        if (quietFor.compareTo(quietPeriod) < 0) {
            Log.debugf("inbox: %s changed %d ms ago; waiting for %s of quiet", file.getFileNameOnly(),
                    quietFor.toMillis(), quietPeriod);
            return false;
        }
        return super.acquireExclusiveReadLock(operations, file, exchange);
    }

    /** The change time where the file system has one, else the modification time. */
    static FileTime lastChange(Path path) throws IOException {
        try {
            return (FileTime) Files.getAttribute(path, "unix:ctime");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return Files.getLastModifiedTime(path);
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
