package gov.hms.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.support.IndependentAuditCheck;
import gov.hms.pipeline.support.StubPipelineConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several instances' chains in one shared audit folder ({@code pipeline.audit.shared-dir}). */
class SharedAuditFolderTest {

    @TempDir
    Path root;

    private final List<AuditLog> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(AuditLog::close);
    }

    private Path shared() {
        return root.resolve("shared-audit");
    }

    private StubPipelineConfig config(String instance) {
        return new StubPipelineConfig().auditFile(root.resolve(instance + "/data/audit/audit.jsonl"))
                .auditShared(instance, shared()).auditOptions("none", "always", "3");
    }

    private AuditLog instance(String instance) {
        AuditLog log = new AuditLog(config(instance));
        opened.add(log);
        return log;
    }

    private static void write(AuditLog log, String deployment, int count) {
        for (int i = 0; i < count; i++) {
            log.append(AuditLogTest.record(deployment, i == count - 1 ? AuditStep.COMPLETED : AuditStep.RECEIVED));
        }
    }

    @Test
    void eachInstanceWritesItsOwnChainInTheSharedFolderUnderItsName() throws Exception {
        AuditLog a = instance("node-a");
        AuditLog b = instance("node-b");
        write(a, "a1", 4);
        write(b, "b1", 2);

        assertThat(a.file()).isEqualTo(shared().resolve("audit.node-a.jsonl").toAbsolutePath());
        assertThat(a.checkpointFile()).isEqualTo(shared().resolve("audit.node-a.checkpoints.jsonl").toAbsolutePath());
        assertThat(a.publicKeyFile()).isEqualTo(shared().resolve("checkpoint-key.node-a.pub.pem").toAbsolutePath());
        assertThat(shared().resolve("checkpoint-key.node-b.pub.pem")).isRegularFile();
        List<JsonNode> chainA = IndependentAuditCheck.records(a.file());
        List<JsonNode> chainB = IndependentAuditCheck.records(b.file());
        assertThat(chainA).hasSize(4).allMatch(r -> r.path("instance").asText().equals("node-a"));
        assertThat(chainB).hasSize(2).allMatch(r -> r.path("instance").asText().equals("node-b"));
        IndependentAuditCheck.assertChain(chainA);
        IndependentAuditCheck.assertChain(chainB);
        // Each instance's own data folder is still held, so two processes never share one either.
        assertThat(root.resolve("node-a/data/audit/audit.jsonl.lock")).isRegularFile();
        assertThat(root.resolve("node-a/data/audit/audit.jsonl")).doesNotExist();
    }

    @Test
    void anInstanceIdThatCannotNameFilesIsRefusedNamingTheKey() {
        for (String unsafe : List.of("node.a", "../node-a", "", "-a", "a/b", "x".repeat(64))) {
            assertThatThrownBy(() -> new AuditLog(config(unsafe)), unsafe)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("pipeline.audit.instance=" + unsafe)
                    .hasMessageContaining("pipeline.audit.shared-dir");
        }
    }

    @Test
    void aSecondProcessWithTheSameInstanceIdIsRefusedNamingTheFolderAndTheHolder() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // Another data folder, the same instance id: only the chain's lock in the shared folder stops it.
        Process holder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                ChainHolder.class.getName(), shared().toString(), "node-a", root.resolve("elsewhere").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(said.readLine()).isEqualTo("open");

            AuditLog second = new AuditLog(config("node-a"));
            assertThatThrownBy(() -> second.append(AuditLogTest.record("d1", AuditStep.RECEIVED)))
                    .hasMessageContaining("the audit chain of instance node-a in the shared audit folder "
                            + shared().toAbsolutePath())
                    .hasMessageContaining("is held by another live process (running pid " + holder.pid())
                    .hasMessageContaining("pipeline.audit.instance");
            second.close();
            assertThat(IndependentAuditCheck.records(shared().resolve("audit.node-a.jsonl"))).hasSize(1);
        } finally {
            holder.getOutputStream().close();
            assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(holder.exitValue()).isZero();
    }

    @Test
    void withoutASharedFolderTheChainStaysAtTheConfiguredFile() {
        AuditLog single = new AuditLog(new StubPipelineConfig().auditFile(root.resolve("data/audit/audit.jsonl")));
        opened.add(single);
        write(single, "d1", 2);
        assertThat(single.file()).isEqualTo(root.resolve("data/audit/audit.jsonl").toAbsolutePath());
        assertThat(Files.exists(shared())).isFalse();
    }
}
