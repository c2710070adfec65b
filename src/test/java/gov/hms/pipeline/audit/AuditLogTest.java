package gov.hms.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.IndependentAuditCheck;
import gov.hms.pipeline.support.StubPipelineConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer: chain, restart, rotation, checkpoints, torn tails, shutdown. */
class AuditLogTest {

    @TempDir
    Path folder;

    static AuditRecord record(String deploymentId, String step) {
        return new AuditRecord("2026-11-29T09:00:00.000Z", deploymentId, "p1", step, "ok", "api", "anonymous",
                "détail – ünïcode \"quoted\" \\ tab\t", null, null, "deploy", "java api", null);
    }

    private Path file() {
        return folder.resolve("audit/audit.jsonl");
    }

    private StubPipelineConfig config() {
        return new StubPipelineConfig().auditFile(file());
    }

    private static void writeRecords(AuditLog log, String deploymentId, int count) {
        for (int i = 0; i < count; i++) {
            log.append(record(deploymentId, i == count - 1 ? AuditStep.COMPLETED : AuditStep.RECEIVED));
        }
    }

    @Test
    void chainsEveryRecordAndContinuesAcrossARestart() {
        AuditLog first = new AuditLog(config());
        first.append(record("d1", AuditStep.RECEIVED));
        first.append(record("d1", AuditStep.COMPLETED));
        first.awaitFinalRecord("d1");
        first.close();
        AuditLog second = new AuditLog(config());
        second.append(record("d2", AuditStep.RECEIVED));
        second.close();

        List<JsonNode> records = AuditLogReader.records(file());
        assertThat(records).hasSize(3);
        assertThat(records.get(0).path("prevHash").asText()).isEqualTo("0".repeat(64));
        assertThat(records.get(2).path("prevHash").asText()).isEqualTo(records.get(1).path("hash").asText());
        IndependentAuditCheck.assertChain(records);
        assertThat(records.get(0).path("origin").asText()).isEqualTo("java api");
        assertThat(records.get(0).path("instance").asText()).isEqualTo("test-instance");
        assertThat(records.get(0).path("routeId").asText()).isEqualTo("deploy");
    }

    @Test
    void anEditedRecordNoLongerMatchesItsHash() {
        AuditLog log = new AuditLog(config());
        log.append(record("d1", AuditStep.RECEIVED));
        log.close();
        ObjectNode record = (ObjectNode) AuditLogReader.records(file()).get(0);
        record.put("actor", "mallory");
        assertThat(IndependentAuditCheck.hash(record)).isNotEqualTo(record.path("hash").asText());
    }

    @Test
    void sizeRotationContinuesTheChainAcrossFilesAndRestarts() throws Exception {
        AuditLog log = new AuditLog(config().auditOptions("2K", "always", "7"));
        writeRecords(log, "d1", 20);
        log.close();
        AuditLog restarted = new AuditLog(config().auditOptions("2K", "always", "7"));
        writeRecords(restarted, "d2", 3);
        AuditVerification verification = restarted.verify();
        restarted.close();

        List<Path> files = IndependentAuditCheck.files(file());
        assertThat(files.size()).isGreaterThan(3);
        assertThat(files.get(0).getFileName().toString()).matches("audit\\.000001\\.\\d{4}-\\d{2}-\\d{2}\\.jsonl");
        for (Path rotated : files.subList(0, files.size() - 1)) {
            assertThat(Files.size(rotated)).isLessThanOrEqualTo(2048);
        }
        List<JsonNode> records = IndependentAuditCheck.records(file());
        assertThat(records).hasSize(23);
        IndependentAuditCheck.assertChain(records);
        assertThat(IndependentAuditCheck.assertCheckpoints(restarted.checkpointFile(), restarted.publicKeyFile(), records))
                .isEqualTo(4); // at 7 and 14 records, at shutdown (20), and at the second shutdown (23)
        assertThat(verification.ok()).isTrue();
        assertThat(verification.records()).isEqualTo(23);
        assertThat(verification.files()).isEqualTo(files.size());
    }

    @Test
    void aCrashBetweenRotationAndTheNextRecordContinuesFromTheNewestRotatedFile() throws Exception {
        AuditLog log = new AuditLog(config().auditOptions("1K", "always", "100"));
        writeRecords(log, "d1", 5);
        log.close();
        // As if the service stopped just after renaming the active file, before creating the next.
        List<Path> before = IndependentAuditCheck.files(file());
        String day = AuditLogReader.records(file()).get(0).path("time").asText().substring(0, 10);
        Files.move(file(), file().resolveSibling(String.format("audit.%06d.%s.jsonl", before.size(), day)));

        AuditLog restarted = new AuditLog(config().auditOptions("1K", "always", "100"));
        restarted.append(record("d2", AuditStep.RECEIVED));
        restarted.close();
        List<JsonNode> records = IndependentAuditCheck.records(file());
        assertThat(records).hasSize(6);
        assertThat(records.get(5).path("deploymentId").asText()).isEqualTo("d2");
        IndependentAuditCheck.assertChain(records);
    }

    @Test
    void dailyRotationBeginsANewFileAtTheFirstRecordAfterUtcMidnight() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-29T23:59:58Z"));
        StubPipelineConfig config = config().auditOptions("daily", "always", "100");
        AuditLog log = new AuditLog(config, AuditSettings.from(config.audit()), clock);
        writeRecords(log, "d1", 2);
        clock.now = Instant.parse("2026-11-30T00:00:01Z");
        writeRecords(log, "d2", 2);
        log.close();

        List<Path> files = IndependentAuditCheck.files(file());
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("audit.000001.2026-11-29.jsonl", "audit.jsonl");
        assertThat(AuditLogReader.records(files.get(0))).hasSize(2);
        assertThat(AuditLogReader.records(files.get(1))).hasSize(2);
        IndependentAuditCheck.assertChain(IndependentAuditCheck.records(file()));
    }

    @Test
    void checkpointsAreSignedEveryNRecordsAndAtShutdownWithAGeneratedKey() throws Exception {
        AuditLog log = new AuditLog(config().auditOptions("none", "always", "5"));
        writeRecords(log, "d1", 12);
        log.close();

        List<JsonNode> checkpoints = AuditLogReader.records(log.checkpointFile());
        assertThat(checkpoints).extracting(c -> c.path("records").asInt()).containsExactly(5, 10, 12);
        assertThat(checkpoints.get(0).path("algorithm").asText()).isEqualTo("Ed25519");
        List<JsonNode> records = AuditLogReader.records(file());
        assertThat(IndependentAuditCheck.assertCheckpoints(log.checkpointFile(), log.publicKeyFile(), records))
                .isEqualTo(3);
        Path privateKey = file().resolveSibling("checkpoint-key.pem");
        assertThat(Files.readString(privateKey)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey))).isEqualTo("rw-------");
        assertThat(log.publicKeyFile()).hasFileName("checkpoint-key.pub.pem");
    }

    @Test
    void aTimedCheckpointCoversRecordsWhenFewArrive() {
        AuditLog log = new AuditLog(config().auditOptions("none", "100ms", "200ms"));
        log.append(record("d1", AuditStep.RECEIVED));
        await().atMost(Duration.ofSeconds(30)).until(() -> AuditLogReader.records(log.checkpointFile()).size() == 1);
        assertThat(AuditLogReader.records(log.checkpointFile()).get(0).path("records").asInt()).isEqualTo(1);
        log.close();
    }

    @Test
    void aTornLastLineIsSetAsideAtStartUpAndTheChainContinuesWithARecordSayingSo() throws Exception {
        AuditLog log = new AuditLog(config());
        writeRecords(log, "d1", 3);
        log.close();
        String fragment = "{\"time\":\"2026-11-29T09:00:01.000Z\",\"deploymentId\":\"d2\",\"pol";
        Files.writeString(file(), fragment, StandardOpenOption.APPEND);

        AuditLog restarted = new AuditLog(config());
        restarted.onStart(null);
        restarted.append(record("d3", AuditStep.RECEIVED));
        AuditVerification verification = restarted.verify();
        restarted.close();

        List<JsonNode> records = AuditLogReader.records(file());
        assertThat(records).extracting(r -> r.path("step").asText())
                .containsExactly("received", "received", "completed", "log-recovered", "received");
        JsonNode recovered = records.get(3);
        assertThat(recovered.path("source").asText()).isEqualTo("service");
        assertThat(recovered.path("outcome").asText()).isEqualTo("error");
        assertThat(recovered.path("detail").asText()).contains(fragment.length() + " byte(s)").contains("after record 3");
        IndependentAuditCheck.assertChain(records);
        assertThat(verification.ok()).isTrue();
        try (Stream<Path> listing = Files.list(file().getParent())) {
            Path torn = listing.filter(p -> p.getFileName().toString().startsWith("audit.jsonl.torn-")).findFirst()
                    .orElseThrow();
            assertThat(Files.readString(torn)).isEqualTo(fragment);
        }
    }

    /**
     * Bug hunt: after a crash, a deployment whose last record came after its end (an outbox retry's
     * notify-failed after completed) got a second final record, interrupted. Only a deployment still
     * open at the crash gets one; an activation that began after its scheduled record is open again.
     */
    @Test
    void aCrashMarksOnlyDeploymentsStillOpenNotThoseWithRecordsAfterTheirEnd() throws Exception {
        AuditLog log = new AuditLog(config());
        log.append(record("ended", AuditStep.RECEIVED));
        log.append(record("ended", AuditStep.COMPLETED));
        log.append(record("ended", AuditStep.NOTIFY_FAILED));
        log.append(record("activating", AuditStep.SCHEDULED));
        log.append(record("activating", AuditStep.RECEIVED));
        log.append(record("open", AuditStep.RECEIVED));
        log.close();
        // The crash: the lock file still says its holder was running.
        Path lock = file().resolveSibling("audit.jsonl.lock");
        Files.writeString(lock, Files.readString(lock).replaceFirst("^closed", "running"));

        AuditLog restarted = new AuditLog(config());
        restarted.onStart(null);
        restarted.close();

        List<JsonNode> interrupted = AuditLogReader.records(file()).stream()
                .filter(r -> r.path("step").asText().equals(AuditStep.INTERRUPTED)).toList();
        assertThat(interrupted).extracting(r -> r.path("deploymentId").asText())
                .containsExactlyInAnyOrder("activating", "open");
    }

    /**
     * Bug hunt: a stop that outlasted the shutdown timeout left deployments without a final record
     * (the lock said "closed", so the next start looked for none). Now the next start ends them.
     */
    @Test
    void aStopWithDeploymentsStillOpenEndsThemInterruptedAtTheNextStart() throws Exception {
        AuditLog log = new AuditLog(config());
        log.append(record("finished", AuditStep.RECEIVED));
        log.append(record("finished", AuditStep.COMPLETED));
        log.append(record("cut-by-the-stop", AuditStep.RECEIVED));
        log.close();

        AuditLog restarted = new AuditLog(config());
        restarted.onStart(null);
        restarted.close();
        AuditLog again = new AuditLog(config());
        again.onStart(null);
        again.close();

        List<JsonNode> interrupted = AuditLogReader.records(file()).stream()
                .filter(r -> r.path("step").asText().equals(AuditStep.INTERRUPTED)).toList();
        assertThat(interrupted).extracting(r -> r.path("deploymentId").asText()).containsExactly("cut-by-the-stop");
        assertThat(interrupted.get(0).path("detail").asText()).contains("stopped");
    }

    @Test
    void zeroBytesLeftByACrashAreSetAsideToo() throws Exception {
        AuditLog log = new AuditLog(config());
        writeRecords(log, "d1", 2);
        log.close();
        Files.write(file(), new byte[300], StandardOpenOption.APPEND);
        AuditLog restarted = new AuditLog(config());
        restarted.onStart(null);
        restarted.close();
        List<JsonNode> records = AuditLogReader.records(file());
        assertThat(records).extracting(r -> r.path("step").asText()).endsWith("log-recovered");
        assertThat(records.get(2).path("detail").asText()).contains("300 byte(s)");
        IndependentAuditCheck.assertChain(records);
    }

    @Test
    void aWholeLastRecordMissingOnlyItsLineEndIsKept() throws Exception {
        AuditLog log = new AuditLog(config());
        writeRecords(log, "d1", 2);
        log.close();
        String text = Files.readString(file());
        Files.writeString(file(), text.substring(0, text.length() - 1));
        AuditLog restarted = new AuditLog(config());
        restarted.append(record("d2", AuditStep.RECEIVED));
        restarted.close();
        List<JsonNode> records = AuditLogReader.records(file());
        assertThat(records).extracting(r -> r.path("deploymentId").asText()).containsExactly("d1", "d1", "d2");
        IndependentAuditCheck.assertChain(records);
    }

    @Test
    void aGracefulShutdownWritesEveryRecordAlreadyTapped() {
        AuditLog log = new AuditLog(config().auditOptions("none", "1s", "100"));
        ExecutorService writer = log.auditTapExecutor();
        for (int i = 0; i < 300; i++) {
            String id = "d" + i;
            writer.execute(() -> log.append(record(id, AuditStep.RECEIVED)));
        }
        log.close();
        List<JsonNode> records = AuditLogReader.records(file());
        assertThat(records).hasSize(300);
        assertThat(records.get(299).path("deploymentId").asText()).isEqualTo("d299");
        IndependentAuditCheck.assertChain(records);
        assertThat(AuditLogReader.records(log.checkpointFile()))
                .extracting(c -> c.path("records").asInt()).endsWith(300);
    }

    @Test
    void deploymentsQueuedTogetherShareOneForceAndAreAllAnsweredOnceItIsDone() throws Exception {
        AuditLog log = new AuditLog(config());
        ExecutorService writer = log.auditTapExecutor();
        CountDownLatch held = new CountDownLatch(1);
        writer.execute(() -> awaitQuietly(held));
        for (int i = 0; i < 50; i++) {
            String id = "d" + i;
            writer.execute(() -> log.append(record(id, AuditStep.RECEIVED)));
            writer.execute(() -> log.append(record(id, AuditStep.COMPLETED)));
        }
        long forcesBefore = log.forces();
        held.countDown();
        for (int i = 0; i < 50; i++) {
            log.awaitFinalRecord("d" + i);
        }
        // The whole burst was queued before the writer ran: one force at the idle point covers it.
        assertThat(log.forces() - forcesBefore).isLessThanOrEqualTo(2);
        assertThat(log.records()).isEqualTo(100);
        log.close();
        List<JsonNode> records = AuditLogReader.records(file());
        assertThat(records).hasSize(100);
        IndependentAuditCheck.assertChain(records);
    }

    @Test
    void aDeploymentWaitsForTheForceEvenWhenTheQueueNeverEmpties() throws Exception {
        AuditLog log = new AuditLog(config().auditOptions("none", "1h", "1h"));
        ExecutorService writer = log.auditTapExecutor();
        CountDownLatch held = new CountDownLatch(1);
        writer.execute(() -> awaitQuietly(held));
        for (int i = 0; i < AuditLog.GROUP_COMMIT_LIMIT; i++) {
            String id = "d" + i;
            writer.execute(() -> log.append(record(id, AuditStep.COMPLETED)));
        }
        CountDownLatch stillBusy = new CountDownLatch(1);
        writer.execute(() -> awaitQuietly(stillBusy));
        held.countDown();
        // The writer is held again behind the burst, yet the limit forced it: every deployment is answered.
        for (int i = 0; i < AuditLog.GROUP_COMMIT_LIMIT; i++) {
            log.awaitFinalRecord("d" + i);
        }
        assertThat(log.forces()).isGreaterThanOrEqualTo(1);
        stillBusy.countDown();
        log.close();
        assertThat(AuditLogReader.records(file())).hasSize(AuditLog.GROUP_COMMIT_LIMIT);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void secretsInAnyFieldAreRemovedBeforeTheRecordIsChained() throws Exception {
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        AuditLog log = new AuditLog(config().subscriberSecret(secret));
        log.append(new AuditRecord("2026-11-29T09:00:00.000Z", "d1", "p1", AuditStep.DELIVERY_FAILED, "error", "http",
                "anonymous", "target live: HTTP 401 via https://bob:pw@host/x?token=abc&x=1 with " + secret
                        + "; echo Authorization: Bearer tok-123",
                null, null, "http-ingest", "http client 127.0.0.1:5555", null));
        log.close();
        String text = Files.readString(file(), StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("tok-123").doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .doesNotContain("bob:pw").doesNotContain("token=abc").contains("x=1").contains("127.0.0.1:5555");
        IndependentAuditCheck.assertChain(AuditLogReader.records(file()));
    }

    /** A clock a test moves by hand. */
    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
