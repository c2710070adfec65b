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
        opened.clear();
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

    /** Instance {@code instance} with one deployment of {@code records} records written. */
    private AuditLog instance(String instance, int records) {
        AuditLog log = instance(instance);
        write(log, instance + "-d1", records);
        return log;
    }

    private static void write(AuditLog log, String deployment, int count) {
        for (int i = 0; i < count; i++) {
            log.append(AuditLogTest.record(deployment, i == count - 1 ? AuditStep.COMPLETED : AuditStep.RECEIVED));
        }
    }

    @Test
    void eachInstanceWritesItsOwnChainInTheSharedFolderUnderItsName() throws Exception {
        AuditLog a = instance("node-a", 4);
        AuditLog b = instance("node-b", 2);

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
    void verifyOnAnyInstanceCoversEveryChainInTheSharedFolder() {
        AuditLog a = instance("node-a", 4);
        AuditLog b = instance("node-b", 5);

        for (AuditLog on : List.of(a, b)) {
            AuditVerification verification = on.verify();
            assertThat(verification.ok()).as(verification.toString()).isTrue();
            assertThat(verification.records()).isEqualTo(9);
            assertThat(verification.chains()).extracting(AuditVerification::instance).containsExactly("node-a", "node-b");
            assertThat(verification.chains()).allMatch(AuditVerification::ok);
            assertThat(verification.chains()).extracting(AuditVerification::records).containsExactly(4L, 5L);
            assertThat(verification.chains().get(1).checkpoints()).isEqualTo(1); // after 3 records
        }
        assertThat(a.verify().headHash()).isEqualTo(a.verify().chains().get(0).headHash());
    }

    @Test
    void aRecordChangedInAnotherInstancesChainIsNamedByChainAndRecord() throws Exception {
        AuditLog a = instance("node-a", 2);
        AuditLog b = instance("node-b", 4);
        List<String> lines = new ArrayList<>(Files.readAllLines(b.file()));
        lines.set(1, lines.get(1).replace("\"anonymous\"", "\"mallory\""));
        Files.write(b.file(), lines);

        AuditVerification verification = a.verify();
        assertThat(verification.ok()).isFalse();
        assertThat(verification.broken().instance()).isEqualTo("node-b");
        assertThat(verification.broken().file()).isEqualTo("audit.node-b.jsonl");
        assertThat(verification.broken().record()).isEqualTo(2);
        assertThat(verification.broken().reason()).contains("the record was changed");
        assertThat(verification.chains()).extracting(AuditVerification::ok).containsExactly(true, false);
        assertThat(verification.chains().get(1).broken().record()).isEqualTo(2);

        // The command line, given the folder, checks every chain the same way.
        AuditVerificationTest.Tool tool = AuditVerificationTest.tool(shared());
        assertThat(tool.exit()).as(tool.output()).isEqualTo(1);
        assertThat(tool.output()).startsWith("BROKEN chain node-b, audit.node-b.jsonl line 2 (record 2): ")
                .contains("the record was changed");
    }

    @Test
    void aChainWhosePublishedKeyIsGoneOrReplacedDoesNotVerifyOnTheOtherInstances() throws Exception {
        AuditLog a = instance("node-a", 2);
        AuditLog b = instance("node-b", 4);
        Path published = shared().resolve("checkpoint-key.node-b.pub.pem");
        Files.delete(published);
        AuditVerification missing = a.verify();
        assertThat(missing.ok()).isFalse();
        assertThat(missing.broken().instance()).isEqualTo("node-b");
        assertThat(missing.broken().file()).isEqualTo("audit.node-b.checkpoints.jsonl");
        assertThat(missing.broken().reason()).contains("checkpoint-key.<instance>.pub.pem is missing");

        // Someone's own key put in its place: checkpoints signed by node-b's key no longer verify.
        Files.copy(shared().resolve("checkpoint-key.node-a.pub.pem"), published);
        AuditVerification replaced = a.verify();
        assertThat(replaced.broken().instance()).isEqualTo("node-b");
        assertThat(replaced.broken().reason()).contains("signed by another key");
        // node-b checks its own chain with the key it holds.
        assertThat(b.verify().chains().get(1).ok()).isTrue();
    }

    @Test
    void theCommandLineVerifiesEveryChainOfAFolder() throws Exception {
        instance("node-a", 4);
        instance("node-b", 2);
        closeAll();

        AuditVerificationTest.Tool tool = AuditVerificationTest.tool(shared());
        assertThat(tool.exit()).as(tool.output()).isZero();
        assertThat(tool.output()).startsWith("OK 2 chain(s) in ")
                .contains("node-a: OK 4 record(s) in 1 file(s)", "node-b: OK 2 record(s) in 1 file(s)")
                .contains("2 signed checkpoint(s) verified"); // node-a: after 3 records and at its close
    }

    @Test
    void aRecordBeingWrittenAtTheEndOfAnotherChainIsNeitherCountedNorABreak() throws Exception {
        AuditLog a = instance("node-a", 2);
        AuditLog b = instance("node-b", 2);
        // As if node-b were in the middle of its next write: half a line, no line end yet.
        String next = Files.readAllLines(b.file()).get(1);
        Files.writeString(b.file(), next.substring(0, next.length() / 2), java.nio.file.StandardOpenOption.APPEND);

        AuditVerification verification = a.verify();
        assertThat(verification.ok()).as(verification.toString()).isTrue();
        assertThat(verification.chains().get(1).records()).isEqualTo(2);
    }

    @Test
    void anotherInstanceRotatingWhileItIsVerifiedCausesNoFalseBreak() throws Exception {
        AuditLog a = instance("node-a");
        AuditLog b = new AuditLog(config("node-b").auditOptions("1K", "always", "5"));
        opened.add(b);
        write(a, "a1", 2);
        write(b, "b0", 10);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                b.append(AuditLogTest.record("b" + i, AuditStep.RECEIVED));
            }
        });
        writer.start();
        int verified = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        try {
            while (System.nanoTime() < deadline) {
                AuditVerification verification = a.verify();
                assertThat(verification.ok()).as(verification.toString()).isTrue();
                verified++;
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        AuditVerification last = a.verify();
        assertThat(last.ok()).isTrue();
        assertThat(last.chains().get(1).files()).isGreaterThan(3);
        assertThat(verified).isPositive();
    }

    private static AuditRecord at(int second, String deployment, String policy, String step) {
        return new AuditRecord(String.format("2026-11-29T09:00:%02d.000Z", second), deployment, policy, step, "ok",
                "api", "anonymous", "detail", null, null, "deploy", "java api", null);
    }

    private static List<String> ids(AuditQuery.Page page) {
        return page.records().stream().map(r -> r.path("deploymentId").asText() + "@" + r.path("time").asText()
                .substring(17, 19)).toList();
    }

    @Test
    void aQueryOnAnyInstanceReturnsEveryChainsRecordsByTimeAndPagesWhileTheyGrow() {
        AuditLog a = instance("node-a");
        AuditLog b = instance("node-b");
        for (int second = 1; second <= 6; second++) {
            (second % 2 == 1 ? a : b).append(at(second, second % 2 == 1 ? "a" : "b", "p1", AuditStep.RECEIVED));
        }
        AuditQuery.Filter all = new AuditQuery.Filter(null, null, null, null, null);

        AuditQuery.Page first = b.query(all, 4, null);
        assertThat(ids(first)).containsExactly("a@01", "b@02", "a@03", "b@04");
        assertThat(first.records()).extracting(r -> r.path("instance").asText())
                .containsExactly("node-a", "node-b", "node-a", "node-b");
        // Both chains grow between the pages; a record earlier than the page's last comes later, never lost.
        b.append(at(7, "b", "p1", AuditStep.RECEIVED));
        a.append(at(2, "a", "p1", AuditStep.RECEIVED));
        AuditQuery.Page second = b.query(all, 4, first.nextCursor());
        assertThat(ids(second)).containsExactly("a@05", "a@02", "b@06", "b@07");
        assertThat(second.nextCursor()).isNull();
        assertThat(a.query(all, 1000, null).records()).hasSize(8);

        AuditQuery.Page onlyB = a.query(new AuditQuery.Filter(null, null, null, null, null, "node-b"), 10, null);
        assertThat(ids(onlyB)).containsExactly("b@02", "b@04", "b@06", "b@07");
        assertThatThrownBy(() -> a.query(all, 10, "bm90IGEgY3Vyc29y")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid cursor");
    }

    @Test
    void aPolicysHistoryIncludesTheDeploymentsOtherInstancesRan() throws Exception {
        AuditLog a = instance("node-a");
        AuditLog b = instance("node-b");
        b.append(at(1, "d-b", null, AuditStep.RECEIVED));
        b.append(at(2, "d-b", "p-b", AuditStep.VALIDATED));
        b.append(at(3, "d-b", "p-b", AuditStep.COMPLETED));
        a.append(at(4, "d-a", "other", AuditStep.COMPLETED));
        // node-b is writing its next record.
        Files.writeString(b.file(), "{\"time\":\"2026-11-29T09:00:05.000Z\",\"deploymentId\":\"d-b\",\"policyId\":\"p-b",
                java.nio.file.StandardOpenOption.APPEND);

        AuditQuery.Page history = a.query(new AuditQuery.Filter("p-b", null, null, null, null), 10, null);
        assertThat(history.records()).extracting(r -> r.path("step").asText())
                .containsExactly("received", "validated", "completed");
        assertThat(history.nextCursor()).isNull();
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
