package gov.hms.pipeline.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive, advisory lock file (fcntl via {@link FileChannel#tryLock()}) that says which live
 * process holds a data folder: its content is a line naming the holder's pid. The operating system
 * drops the lock when the process dies, however it dies, so a stale file never blocks a start.
 */
public final class ProcessLock implements AutoCloseable {

    /**
     * This machine's name, for a lock file on a folder several machines share (a pid alone does not say
     * whose it is): {@code HOSTNAME} (set in containers and login shells), else {@code /etc/hostname}.
     */
    private static final String HOST = host();

    private final Path file;
    private final FileChannel channel;
    private final String previous;

    private ProcessLock(Path file, FileChannel channel, String previous) {
        this.file = file;
        this.channel = channel;
        this.previous = previous;
    }

    /**
     * Takes the lock at once (never waits) and writes {@code running pid <pid> on host <host> since <time>} into it.
     *
     * @param what names the folder for the refusal, e.g. {@code "the data folder /srv/data/broker"}
     * @return the lock, or {@code null} if this JVM holds it already
     * @throws HeldException if another live process holds it (the message names {@code what}, the
     *                       file and the holder's line, with its pid)
     */
    public static ProcessLock acquire(Path file, String what) throws IOException {
        return acquire(file, what, "give this one its own data folder");
    }

    /**
     * As {@link #acquire(Path, String)}, with what else the operator may do than stop the holder
     * (e.g. {@code "give each instance its own pipeline.audit.instance"}).
     */
    public static ProcessLock acquire(Path file, String what, String remedy) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            channel.close();
            return null;
        }
        String previous = read(channel);
        if (lock == null) {
            channel.close();
            throw new HeldException(what + " is held by another live process (" + (previous.isBlank() ? "pid unknown"
                    : previous.trim()) + "; lock file " + file.toAbsolutePath() + "): refusing to start; stop that "
                    + "process or " + remedy);
        }
        ProcessLock held = new ProcessLock(file, channel, previous);
        held.write("running pid " + ProcessHandle.current().pid() + " on " + HOST + " since " + java.time.Instant.now());
        return held;
    }

    /** What the file said before this process took it: starts with {@code running} after a crash. */
    public String previous() {
        return previous;
    }

    /** Replaces the file's line (forced), e.g. with {@code closed <time>} at a clean stop. */
    public void write(String line) throws IOException {
        channel.truncate(0);
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes, channel.size());
        }
        channel.force(false);
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static String host() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = Files.readString(Path.of("/etc/hostname")).trim();
            } catch (IOException | RuntimeException e) {
                name = "";
            }
        }
        return name.isBlank() ? "an unnamed host" : "host " + name;
    }

    private static String read(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(256);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    /** Another live process holds the lock. */
    public static final class HeldException extends IllegalStateException {

        private static final long serialVersionUID = 1L;

        HeldException(String message) {
            super(message);
        }
    }
}
