package gov.hms.pipeline.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real inbox folder as a test sees it: dropping files the way writers do, and finding them again
 * in the done and failed folders ({@code <stem>.<yyyyMMdd'T'HHmmssSSS'Z'>[-n]<ext>}).
 */
public final class InboxFolder {

    private final Path inbox;

    public InboxFolder(Path inbox) {
        this.inbox = inbox;
    }

    public Path dir() {
        return inbox;
    }

    public Path doneDir() {
        return inbox.resolve(".done");
    }

    public Path failedDir() {
        return inbox.resolve(".failed");
    }

    /** A valid policy with this id, as JSON text. */
    public static String policy(String id, String title) {
        return "{\"id\":\"" + id + "\",\"title\":\"" + title + "\",\"content\":\"Content of " + id + ".\"}";
    }

    /** Writes the file through a hidden temporary name and renames it: the writer protocol docs/inbox.md advises. */
    public Path drop(String name, byte[] content) {
        try {
            Files.createDirectories(inbox);
            Path temp = inbox.resolve("." + Integer.toHexString(name.hashCode()) + "-" + System.nanoTime() + ".tmp");
            Files.write(temp, content);
            return Files.move(temp, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path drop(String name, String content) {
        return drop(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public boolean inInbox(String name) {
        return Files.exists(inbox.resolve(name));
    }

    /** Files in the done folder that came from a file called {@code name}. */
    public List<Path> done(String name) {
        return settled(doneDir(), name);
    }

    /** Files in the failed folder that came from a file called {@code name} (not their error files). */
    public List<Path> failed(String name) {
        return settled(failedDir(), name);
    }

    /** The {@code .error.json} beside a failed file. */
    public static Path errorFileOf(Path failed) {
        return failed.resolveSibling(failed.getFileName() + ".error.json");
    }

    /** The {@code .result.json} beside a deployed file in the done folder. */
    public static Path resultFileOf(Path done) {
        return done.resolveSibling(done.getFileName() + ".result.json");
    }

    public static JsonNode readJson(Path file) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> settled(Path folder, String name) {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        Pattern pattern = Pattern.compile(Pattern.quote(stem) + "\\.\\d{8}T\\d{9}Z(-\\d+)?" + Pattern.quote(extension));
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> pattern.matcher(f.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
