package gov.hms.pipeline.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the audit log as a test would check it: every line must be JSON. */
public final class AuditLogReader {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AuditLogReader() {
    }

    public static List<JsonNode> records(Path file) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            List<JsonNode> records = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    records.add(MAPPER.readTree(line));
                }
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<JsonNode> recordsOf(Path file, String deploymentId) {
        return records(file).stream().filter(r -> deploymentId.equals(r.path("deploymentId").asText())).toList();
    }

    public static List<String> stepsOf(Path file, String deploymentId) {
        return recordsOf(file, deploymentId).stream().map(r -> r.path("step").asText()).toList();
    }

    /**
     * Deployments of the inbox file called {@code fileName}, in the order they were received: their
     * {@code received} record names the file.
     */
    public static List<String> fileDeployments(Path file, String fileName) {
        String origin = "from inbox file '" + fileName + "'";
        return records(file).stream()
                .filter(r -> "received".equals(r.path("step").asText()) && "file".equals(r.path("source").asText())
                        && r.path("detail").asText().endsWith(origin))
                .map(r -> r.path("deploymentId").asText())
                .toList();
    }
}
