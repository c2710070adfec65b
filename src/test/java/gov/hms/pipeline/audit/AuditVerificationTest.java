package gov.hms.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.support.IndependentAuditCheck;
import gov.hms.pipeline.support.StubPipelineConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tampering with the log is found by both verifiers: the service's ({@code GET /api/audit/verify}
 * runs the same code) and the JDK-only command line {@code java tools/AuditVerify.java}.
 * The log: 10 records, checkpoints after 4 and 8 records and at shutdown (10).
 */
class AuditVerificationTest {

    private static final Path TOOL = Path.of("tools/AuditVerify.java").toAbsolutePath();

    @TempDir
    Path folder;

    private Path file;
    private List<String> lines;

    @BeforeEach
    void writeLog() throws IOException {
        file = folder.resolve("audit.jsonl");
        AuditLog log = new AuditLog(config());
        // Five whole deployments (received, completed): none is left open, so reopening adds no record.
        for (int i = 1; i <= 10; i++) {
            log.append(AuditLogTest.record("d" + (i + 1) / 2, i % 2 == 0 ? AuditStep.COMPLETED : AuditStep.RECEIVED));
        }
        log.close();
        lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    private StubPipelineConfig config() {
        return new StubPipelineConfig().auditFile(file).auditOptions("none", "always", "4");
    }

    private AuditVerification serviceVerify() {
        AuditLog log = new AuditLog(config());
        try {
            return log.verify();
        } finally {
            log.close();
        }
    }

    private void rewrite(List<String> newLines) throws IOException {
        Files.write(file, newLines, StandardCharsets.UTF_8);
    }

    @Test
    void anUntouchedLogVerifies() throws Exception {
        AuditVerification verification = serviceVerify();
        assertThat(verification.ok()).isTrue();
        assertThat(verification.records()).isEqualTo(10);
        assertThat(verification.files()).isEqualTo(1);
        assertThat(verification.checkpoints()).isEqualTo(3);
        assertThat(verification.headHash()).isEqualTo(IndependentAuditCheck.parse(lines.get(9)).path("hash").asText());
        Tool tool = tool();
        assertThat(tool.exit).as(tool.output).isZero();
        assertThat(tool.output).startsWith("OK 10 record(s) in 1 file(s)").contains("3 signed checkpoint(s) verified");
    }

    @Test
    void editingOneFieldIsFound() throws Exception {
        ObjectNode record = (ObjectNode) IndependentAuditCheck.parse(lines.get(2));
        record.put("actor", "mallory");
        lines.set(2, record.toString());
        rewrite(lines);

        assertBroken(serviceVerify(), 3, "the record was changed");
        assertToolBroken("audit.jsonl line 3 (record 3)", "the record was changed");
    }

    @Test
    void deletingALineIsFound() throws Exception {
        lines.remove(4);
        rewrite(lines);

        assertBroken(serviceVerify(), 5, "deleted, inserted or moved");
        assertToolBroken("audit.jsonl line 5 (record 5)", "deleted, inserted or moved");
    }

    @Test
    void swappingTwoLinesIsFound() throws Exception {
        String sixth = lines.get(5);
        lines.set(5, lines.get(6));
        lines.set(6, sixth);
        rewrite(lines);

        assertBroken(serviceVerify(), 6, "deleted, inserted or moved");
        assertToolBroken("audit.jsonl line 6 (record 6)", "deleted, inserted or moved");
    }

    @Test
    void cuttingOffTheLastLinesIsFoundByTheCheckpoint() throws Exception {
        rewrite(lines.subList(0, 7));

        AuditVerification verification = serviceVerify();
        assertBroken(verification, 8, "at least 3 record(s) were cut off the end");
        assertThat(verification.records()).isEqualTo(7);
        assertToolBroken("audit.jsonl end (record 8)", "at least 3 record(s) were cut off the end");
    }

    @Test
    void aForgedCheckpointIsFound() throws Exception {
        Path checkpoints = folder.resolve("audit.checkpoints.jsonl");
        List<String> signed = new ArrayList<>(Files.readAllLines(checkpoints));
        ObjectNode last = (ObjectNode) IndependentAuditCheck.parse(signed.get(2));
        last.put("records", 9);
        signed.set(2, last.toString());
        Files.write(checkpoints, signed);
        rewrite(lines.subList(0, 9));

        AuditVerification verification = serviceVerify();
        assertThat(verification.ok()).isFalse();
        assertThat(verification.broken().file()).isEqualTo("audit.checkpoints.jsonl");
        assertThat(verification.broken().line()).isEqualTo(3);
        assertThat(verification.broken().reason()).contains("signature does not verify");
        assertToolBroken("audit.checkpoints.jsonl line 3", "signature does not verify");
    }

    private static void assertBroken(AuditVerification verification, long record, String why) {
        assertThat(verification.ok()).isFalse();
        assertThat(verification.broken().file()).isEqualTo("audit.jsonl");
        assertThat(verification.broken().record()).isEqualTo(record);
        assertThat(verification.broken().line()).isEqualTo(record);
        assertThat(verification.broken().reason()).contains(why);
    }

    private void assertToolBroken(String where, String why) throws Exception {
        Tool tool = tool();
        assertThat(tool.exit).as(tool.output).isEqualTo(1);
        assertThat(tool.output).startsWith("BROKEN " + where + ": ").contains(why);
    }

    record Tool(int exit, String output) {
    }

    private Tool tool() throws Exception {
        return tool(file);
    }

    /** Runs the documented command: {@code java tools/AuditVerify.java <log or folder>}, JDK single-file source launch. */
    static Tool tool(Path logOrFolder) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), TOOL.toString(), logOrFolder.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Tool(process.exitValue(), output);
    }
}
