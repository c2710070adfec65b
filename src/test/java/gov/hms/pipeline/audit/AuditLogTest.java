package gov.hms.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.support.StubPipelineConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {

    @TempDir
    Path folder;

    private final ObjectMapper mapper = new ObjectMapper();

    private static AuditRecord record(String deploymentId, String step) {
        return new AuditRecord("2026-11-29T09:00:00.000Z", deploymentId, "p1", step, "ok", "api", "anonymous",
                "détail – ünïcode", null, null, "deploy");
    }

    private List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            records.add(mapper.readTree(line));
        }
        return records;
    }

    @Test
    void chainsEveryRecordAndContinuesAcrossARestart() throws Exception {
        Path file = folder.resolve("audit/audit.jsonl");
        AuditLog first = new AuditLog(new StubPipelineConfig().auditFile(file));
        first.append(record("d1", AuditStep.RECEIVED));
        first.append(record("d1", AuditStep.COMPLETED));
        first.awaitFinalRecord("d1");
        first.close();
        AuditLog second = new AuditLog(new StubPipelineConfig().auditFile(file));
        second.append(record("d2", AuditStep.RECEIVED));
        second.close();

        List<JsonNode> records = lines(file);
        assertThat(records).hasSize(3);
        assertThat(records.get(0).path("prevHash").asText()).isEqualTo("0".repeat(64));
        String previous = "0".repeat(64);
        for (JsonNode record : records) {
            assertThat(record.path("prevHash").asText()).isEqualTo(previous);
            assertThat(record.path("hash").asText()).isEqualTo(independentHash(record));
            previous = record.path("hash").asText();
        }
    }

    @Test
    void anEditedRecordNoLongerMatchesItsHash() throws Exception {
        Path file = folder.resolve("audit.jsonl");
        AuditLog log = new AuditLog(new StubPipelineConfig().auditFile(file));
        log.append(record("d1", AuditStep.RECEIVED));
        log.close();
        ObjectNode record = (ObjectNode) lines(file).get(0);
        record.put("actor", "mallory");
        assertThat(independentHash(record)).isNotEqualTo(record.path("hash").asText());
    }

    /**
     * SHA-256 of prevHash + canonical JSON of the record without "hash", computed here without the
     * service's code: these records hold only strings, so RFC 8785 is sorted keys, no whitespace,
     * and JSON string escaping of control characters, quote and backslash.
     */
    private static String independentHash(JsonNode record) throws Exception {
        TreeMap<String, JsonNode> sorted = new TreeMap<>();
        for (Iterator<String> names = record.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("hash")) {
                sorted.put(name, record.get(name));
            }
        }
        StringBuilder canonical = new StringBuilder("{");
        sorted.forEach((name, value) -> {
            if (canonical.length() > 1) {
                canonical.append(',');
            }
            canonical.append(quote(name)).append(':').append(value.isNull() ? "null" : quote(value.asText()));
        });
        canonical.append('}');
        byte[] input = (record.path("prevHash").asText() + canonical).getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(input));
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
