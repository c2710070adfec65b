package gov.hms.pipeline.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real, small file system for the audit log: a 1 MiB tmpfs mounted on a folder (tests run as
 * root here). Where mounting is not allowed, {@link #mounted()} is false and tests skip with
 * {@link #SKIP_MESSAGE}.
 */
public final class SmallAuditVolume {

    public static final String SKIP_MESSAGE = "skipped: cannot mount a tmpfs here (needs root and mount rights); "
            + "the full-disk tests need a small real file system";

    private final Path dir;
    private final boolean mounted;

    private SmallAuditVolume(Path dir, boolean mounted) {
        this.dir = dir;
        this.mounted = mounted;
    }

    /** Mounts a tmpfs of {@code size} (mount's syntax, e.g. {@code 1m}) on {@code dir}, created if absent. */
    public static SmallAuditVolume mount(Path dir, String size) {
        try {
            Files.createDirectories(dir);
            return new SmallAuditVolume(dir, run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    public boolean mounted() {
        return mounted;
    }

    /** Writes {@code filler} until the file system has no space left. */
    public void fill(Path filler) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException full) {
            // ENOSPC: the file system is full, as wanted
        }
        if (Files.getFileStore(dir).getUsableSpace() > 8192) {
            throw new IllegalStateException("could not fill " + dir);
        }
    }

    public void unmount() {
        if (mounted) {
            run("umount", "-l", dir.toString());
        }
    }

    private static boolean run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
