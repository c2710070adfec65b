package gov.hms.pipeline.inbox;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.InboxFolder;
import gov.hms.pipeline.support.PipelineTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The inbox over a real temporary folder and real HTTP targets (WireMock): every case of issue 3's
 * "Must show" list except the restart, which needs a real process (InboxRestartIT).
 * Files are matched to their deployments through the audit log, whose {@code received} record names the file.
 */
@QuarkusTest
@QuarkusTestResource(value = PipelineTestResources.class, restrictToAnnotatedClass = true)
class InboxIngestTest {

    private static final Duration SETTLED = Duration.ofSeconds(60);
    private static final String TARGET = "/target/packages";

    private final ObjectMapper mapper = new ObjectMapper();
    private final InboxFolder inbox = new InboxFolder(PipelineTestResources.inboxDir());
    private WireMockServer wireMock;
    /** Unique per test: policies deployed by the inbox are remembered, so each test brings new ones. */
    private String run;

    @BeforeEach
    void scriptSystems() {
        wireMock = PipelineTestResources.wireMock();
        wireMock.resetAll();
        wireMock.stubFor(post(urlEqualTo(TARGET)).willReturn(aResponse().withStatus(201)));
        wireMock.stubFor(post(urlEqualTo("/scheduling/events")).willReturn(aResponse().withStatus(202)));
        wireMock.stubFor(post(urlEqualTo("/records/events")).willReturn(aResponse().withStatus(200)));
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void seedExampleDroppedAsAFileIsDeliveredAndMovedToDone() throws Exception {
        byte[] seed = Files.readAllBytes(Path.of("samples/policy-2023-vax.json"));
        Path dropped = inbox.drop("policy-2023-vax.json", seed);
        String owner = Files.getOwner(dropped).getName();

        await().atMost(SETTLED).until(() -> inbox.done("policy-2023-vax.json").size() == 1);
        assertThat(inbox.inInbox("policy-2023-vax.json")).isFalse();
        assertThat(Files.readAllBytes(inbox.done("policy-2023-vax.json").get(0))).isEqualTo(seed);

        List<LoggedRequest> deliveries = deliveriesOf("policy-2023-vax");
        assertThat(deliveries).hasSize(1);
        assertThat(mapper.readTree(deliveries.get(0).getBody()).at("/policy/title").asText())
                .isEqualTo(mapper.readTree(seed).path("title").asText());

        String deploymentId = onlyDeploymentOf("policy-2023-vax.json");
        await().atMost(SETTLED).until(() -> lastStep(deploymentId).equals("completed"));
        List<JsonNode> records = AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId);
        assertThat(records).extracting(r -> r.path("step").asText())
                .containsExactly("received", "validated", "packaged", "delivered", "notified", "notified", "completed");
        assertThat(records).allSatisfy(r -> {
            assertThat(r.path("source").asText()).isEqualTo("file");
            assertThat(r.path("actor").asText()).isEqualTo(owner);
        });
        assertThat(records.get(0).path("detail").asText()).contains("'policy-2023-vax.json'");
    }

    @Test
    void deployedFileGetsBesideItInDoneTheResultJsonTheHttpEndpointAnswers() throws Exception {
        String id = "result-" + run;
        String policy = InboxFolder.policy(id, "Result beside the file");
        inbox.drop(id + ".json", policy);

        await().atMost(SETTLED).until(() -> inbox.done(id + ".json").size() == 1);
        Path done = inbox.done(id + ".json").get(0);
        JsonNode result = InboxFolder.readJson(InboxFolder.resultFileOf(done));
        assertThat(result.path("status").asText()).isEqualTo("success");
        assertThat(result.path("deploymentId").asText()).isEqualTo(onlyDeploymentOf(id + ".json"));
        assertThat(result.at("/deliveries/0/target").asText()).isEqualTo("live");
        assertThat(result.at("/deliveries/0/status").asText()).isEqualTo("delivered");

        // Already live everywhere, by HTTP and by the inbox alike: the same document (the deployment id
        // aside), nothing delivered again, and the file still gets its result; no file is left half-written.
        JsonNode http = mapper.readTree(given().contentType("application/json").body(policy)
                .when().post("/api/policies").then().statusCode(200).extract().asByteArray());
        assertThat(http.path("deliveries")).isEmpty();
        inbox.drop("again-" + id + ".json", policy);
        await().atMost(SETTLED).until(() -> inbox.done("again-" + id + ".json").size() == 1);
        JsonNode again = InboxFolder.readJson(InboxFolder.resultFileOf(inbox.done("again-" + id + ".json").get(0)));
        assertThat(again.path("status").asText()).isEqualTo("success");
        assertThat(again.path("deploymentId").asText()).isEqualTo(onlyDeploymentOf("again-" + id + ".json"));
        assertThat(withoutDeploymentId(again)).isEqualTo(withoutDeploymentId(http));
        try (var files = Files.list(inbox.doneDir())) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(name -> name.startsWith(".") || name.endsWith(".tmp"));
        }
    }

    @Test
    void invalidFileEndsInFailedBesideTheSameFailureJsonTheHttpEndpointAnswers() throws Exception {
        byte[] invalid = Files.readAllBytes(Path.of("samples/invalid-missing-title.json"));
        inbox.drop("invalid-missing-title.json", invalid);

        await().atMost(SETTLED).until(() -> inbox.failed("invalid-missing-title.json").size() == 1);
        Path failed = inbox.failed("invalid-missing-title.json").get(0);
        assertThat(Files.readAllBytes(failed)).isEqualTo(invalid);
        JsonNode error = InboxFolder.readJson(InboxFolder.errorFileOf(failed));
        assertThat(error.path("status").asText()).isEqualTo("failure");
        assertThat(error.path("error").asText()).isEqualTo("Validation failed");
        assertThat(error.findValuesAsText("path")).contains("/title");

        JsonNode http = mapper.readTree(given().contentType("application/json").body(invalid)
                .when().post("/api/policies").then().statusCode(422).extract().asByteArray());
        assertThat(withoutDeploymentId(error)).isEqualTo(withoutDeploymentId(http));
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), error.path("deploymentId").asText()))
                .containsExactly("received", "rejected", "failed");
        assertThat(inbox.done("invalid-missing-title.json")).isEmpty();
        wireMock.verify(0, postRequestedFor(urlEqualTo(TARGET)));
    }

    @Test
    void fiveHundredFilesDroppedAtOnceAreEachDeliveredExactlyOnce() throws Exception {
        int count = 500;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = String.format("bulk-%s-%03d", run, i);
            ids.add(id);
            Files.writeString(inbox.dir().resolve(id + ".json"), InboxFolder.policy(id, "Bulk " + i));
        }

        await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1))
                .until(() -> ids.stream().allMatch(id -> inbox.done(id + ".json").size() == 1));
        assertThat(ids).noneMatch(id -> inbox.inInbox(id + ".json"));

        Map<String, Long> deliveriesPerPolicy = wireMock.findAll(postRequestedFor(urlEqualTo(TARGET))).stream()
                .collect(Collectors.groupingBy(r -> r.getHeader("X-Policy-Id"), Collectors.counting()));
        assertThat(deliveriesPerPolicy).hasSize(count);
        assertThat(deliveriesPerPolicy.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(deliveriesPerPolicy.values()).allMatch(n -> n == 1);

        List<JsonNode> completed = AuditLogReader.records(PipelineTestResources.auditFile()).stream()
                .filter(r -> "completed".equals(r.path("step").asText()) && r.path("policyId").asText().startsWith("bulk-" + run))
                .toList();
        assertThat(completed).hasSize(count);
        assertThat(completed).extracting(r -> r.path("policyId").asText()).doesNotHaveDuplicates();
    }

    @Test
    void fileWrittenInTwoHalvesTwoSecondsApartWithAnHourOldTimeIsDeliveredOnceAndWhole() throws Exception {
        String id = "halves-" + run;
        // A policy of some size, so that the first half is clearly not JSON on its own.
        String content = "x".repeat(20_000);
        byte[] whole = ("{\"id\":\"" + id + "\",\"title\":\"Written slowly\",\"content\":\"" + content + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        Path file = inbox.dir().resolve(id + ".json");
        FileTime anHourAgo = FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS));

        // Like `cp -p` of a slow copy: the data comes in two halves, and the old time is set each time.
        Files.write(file, java.util.Arrays.copyOfRange(whole, 0, whole.length / 2));
        Files.setLastModifiedTime(file, anHourAgo);
        Thread.sleep(2_000);
        Files.write(file, java.util.Arrays.copyOfRange(whole, whole.length / 2, whole.length),
                java.nio.file.StandardOpenOption.APPEND);
        Files.setLastModifiedTime(file, anHourAgo);

        await().atMost(SETTLED).until(() -> inbox.done(id + ".json").size() == 1);
        assertThat(inbox.failed(id + ".json")).isEmpty();
        List<LoggedRequest> deliveries = deliveriesOf(id);
        assertThat(deliveries).hasSize(1);
        assertThat(mapper.readTree(deliveries.get(0).getBody()).at("/policy/content").asText()).isEqualTo(content);
        assertThat(AuditLogReader.fileDeployments(PipelineTestResources.auditFile(), id + ".json")).hasSize(1);
    }

    @Test
    void temporaryPartialAndHiddenFilesAreIgnoredAndATmpRenamedToJsonIsDeliveredOnce() throws Exception {
        String id = "renamed-" + run;
        Path tmp = inbox.dir().resolve(id + ".json.tmp");
        Path part = inbox.dir().resolve("other-" + run + ".json.PART");
        Path hidden = inbox.dir().resolve(".hidden-" + run + ".json");
        Files.writeString(tmp, InboxFolder.policy(id, "Renamed"));
        Files.writeString(part, InboxFolder.policy("other-" + run, "Partial"));
        Files.writeString(hidden, InboxFolder.policy("hidden-" + run, "Hidden"));

        // Longer than the quiet period and several polls: nothing may be read.
        await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(tmp) && Files.exists(part) && Files.exists(hidden)
                        && wireMock.findAll(postRequestedFor(urlEqualTo(TARGET))).isEmpty());

        Files.move(tmp, inbox.dir().resolve(id + ".json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        await().atMost(SETTLED).until(() -> inbox.done(id + ".json").size() == 1);
        assertThat(deliveriesOf(id)).hasSize(1);
        assertThat(wireMock.findAll(postRequestedFor(urlEqualTo(TARGET)))).hasSize(1);
        Files.delete(part);
        Files.delete(hidden);
    }

    @Test
    void sameContentDroppedTwiceUnderTwoNamesIsDeliveredOnceAndAuditedOnceAsDuplicate() throws Exception {
        String id = "twice-" + run;
        // The same policy, written differently: the key is the hash of its canonical JSON (RFC 8785).
        inbox.drop("first-" + run + ".json", "{\"id\":\"" + id + "\",\"title\":\"Twice\",\"content\":\"Same.\"}");
        inbox.drop("second-" + run + ".json", "{ \"content\" : \"Same.\",\r\n  \"title\" : \"Twice\", \"id\" : \"" + id + "\" }");

        await().atMost(SETTLED).until(() -> inbox.done("first-" + run + ".json").size() == 1
                && inbox.done("second-" + run + ".json").size() == 1);
        assertThat(deliveriesOf(id)).hasSize(1);

        List<List<String>> trails = List.of("first-", "second-").stream()
                .map(prefix -> AuditLogReader.stepsOf(PipelineTestResources.auditFile(), onlyDeploymentOf(prefix + run + ".json")))
                .toList();
        assertThat(trails).filteredOn(steps -> steps.contains("duplicate")).hasSize(1)
                .allSatisfy(steps -> assertThat(steps)
                        .containsExactly("received", "validated", "packaged", "duplicate", "completed"));
        assertThat(trails).filteredOn(steps -> steps.contains("delivered")).hasSize(1)
                .allSatisfy(steps -> assertThat(steps).endsWith("completed").doesNotContain("duplicate"));
    }

    @Test
    void targetDownForTheFirstAttemptsThenUpIsDeliveredWhileTheFileWaitsInTheInbox() throws Exception {
        String id = "flaky-" + run;
        StubMapping down = wireMock.stubFor(post(urlEqualTo(TARGET)).atPriority(1)
                .withHeader("X-Policy-Id", equalTo(id)).willReturn(aResponse().withStatus(503).withBody("maintenance")));
        inbox.drop(id + ".json", InboxFolder.policy(id, "Flaky target"));

        // The first deployment ran out of target attempts (502) ...
        await().atMost(SETTLED).until(() -> trailsOf(id + ".json").stream().anyMatch(s -> s.contains("failed")));
        // ... and the file waits in the inbox for the next one (pipeline.inbox.retry.initial-delay: 2 s in tests).
        assertThat(inbox.inInbox(id + ".json")).isTrue();
        assertThat(inbox.done(id + ".json")).isEmpty();
        assertThat(inbox.failed(id + ".json")).isEmpty();
        wireMock.removeStub(down);

        await().atMost(SETTLED).until(() -> inbox.done(id + ".json").size() == 1);
        List<LoggedRequest> requests = deliveriesOf(id);
        assertThat(requests.size()).isGreaterThanOrEqualTo(4);
        assertThat(requests).extracting(r -> r.getHeader("Idempotency-Key")).containsOnly(requests.get(0).getHeader("Idempotency-Key"));
        List<List<String>> trails = trailsOf(id + ".json");
        assertThat(trails.get(0)).containsExactly("received", "validated", "packaged", "delivery-failed", "failed");
        assertThat(trails.get(trails.size() - 1)).contains("delivered").endsWith("completed");
        assertThat(inbox.failed(id + ".json")).isEmpty();
    }

    @Test
    void targetDownUntilTheAttemptsRunOutSendsTheFileToFailedWithTheDeployFailure() {
        String id = "down-" + run;
        wireMock.stubFor(post(urlEqualTo(TARGET)).atPriority(1).withHeader("X-Policy-Id", equalTo(id))
                .willReturn(aResponse().withStatus(500).withBody("down")));
        inbox.drop(id + ".json", InboxFolder.policy(id, "Target down"));

        await().atMost(SETTLED).until(() -> inbox.failed(id + ".json").size() == 1);
        JsonNode error = InboxFolder.readJson(InboxFolder.errorFileOf(inbox.failed(id + ".json").get(0)));
        assertThat(error.path("status").asText()).isEqualTo("failure");
        assertThat(error.path("error").asText()).startsWith("Deploy failed").contains("live");
        assertThat(error.at("/deliveries/0/httpStatus").asInt()).isEqualTo(500);
        // pipeline.inbox.retry.max-attempts=4 deployments, each with pipeline.delivery.max-attempts=3 requests.
        assertThat(trailsOf(id + ".json")).hasSize(4).allSatisfy(steps -> assertThat(steps).endsWith("failed"));
        assertThat(deliveriesOf(id)).hasSize(12);
        assertThat(inbox.done(id + ".json")).isEmpty();
        assertThat(inbox.inInbox(id + ".json")).isFalse();
    }

    @Test
    void namesWithSpacesNonAsciiLettersOrTwoHundredBytesKeepTheirNames() throws Exception {
        // 7 + 8 + 1 + 88 * 2 + 8 = 200 bytes in UTF-8
        String longName = "policy-" + run + "-" + "é".repeat(88) + "-ab.json";
        assertThat(longName.getBytes(StandardCharsets.UTF_8)).hasSize(200);
        Map<String, String> names = Map.of(
                "política-ü " + run + ".json", "names-es-" + run,
                "政策-" + run + ".json", "names-zh-" + run,
                "with spaces " + run + ".json", "names-space-" + run,
                longName, "names-long-" + run);
        names.forEach((name, id) -> inbox.drop(name, InboxFolder.policy(id, "Named " + name)));
        // 17 + 8 + 1 + 84 * 2 + 1 + 5 = 200 bytes in UTF-8: in the failed folder it also gets <name>.error.json
        String invalidName = "ungültig 政策 " + run + "-" + "ü".repeat(84) + "x.json";
        assertThat(invalidName.getBytes(StandardCharsets.UTF_8)).hasSize(200);
        inbox.drop(invalidName, "{\"id\":\"names-bad-" + run + "\",\"content\":\"no title\"}");

        await().atMost(SETTLED).until(() -> names.keySet().stream().allMatch(n -> inbox.done(n).size() == 1)
                && inbox.failed(invalidName).size() == 1);
        for (String name : names.keySet()) {
            assertThat(inbox.inInbox(name)).as(name).isFalse();
            String deploymentId = onlyDeploymentOf(name);
            assertThat(AuditLogReader.recordsOf(PipelineTestResources.auditFile(), deploymentId).get(0)
                    .path("detail").asText()).as(name).contains("'" + name + "'");
            assertThat(deliveriesOf(names.get(name))).as(name).hasSize(1);
        }
        Path failed = inbox.failed(invalidName).get(0);
        assertThat(Files.exists(InboxFolder.errorFileOf(failed))).isTrue();
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), onlyDeploymentOf(invalidName)))
                .endsWith("failed");
    }

    @Test
    void utf8WithAndWithoutBomCrlfAndUtf16WithBomAreDecoded() throws Exception {
        String title = "Política de vacunación – 政策 ü";
        String crlf = "{\r\n  \"id\": \"%s\",\r\n  \"title\": \"" + title + "\",\r\n  \"content\": \"Text.\"\r\n}\r\n";
        Map<String, byte[]> files = Map.of(
                "enc-utf8-" + run + ".json", String.format(crlf, "enc-utf8-" + run).getBytes(StandardCharsets.UTF_8),
                "enc-utf8bom-" + run + ".json", withBom(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                        String.format(crlf, "enc-utf8bom-" + run).getBytes(StandardCharsets.UTF_8)),
                "enc-utf16le-" + run + ".json", withBom(new byte[] {(byte) 0xFF, (byte) 0xFE},
                        String.format(crlf, "enc-utf16le-" + run).getBytes(StandardCharsets.UTF_16LE)),
                "enc-utf16be-" + run + ".json", withBom(new byte[] {(byte) 0xFE, (byte) 0xFF},
                        String.format(crlf, "enc-utf16be-" + run).getBytes(StandardCharsets.UTF_16BE)));
        files.forEach(inbox::drop);

        await().atMost(SETTLED).until(() -> files.keySet().stream().allMatch(n -> inbox.done(n).size() == 1));
        for (String name : files.keySet()) {
            String id = name.substring(0, name.length() - ".json".length());
            List<LoggedRequest> deliveries = deliveriesOf(id);
            assertThat(deliveries).as(name).hasSize(1);
            assertThat(mapper.readTree(deliveries.get(0).getBody()).at("/policy/title").asText()).as(name).isEqualTo(title);
        }
    }

    @Test
    void emptyAndWhitespaceOnlyFilesFailWithEmptyPayload() {
        Map<String, byte[]> files = Map.of(
                "empty-" + run + ".json", new byte[0],
                "blank-" + run + ".json", " \r\n\t \n".getBytes(StandardCharsets.US_ASCII),
                "bom-only-" + run + ".json", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, ' ', '\n'});
        files.forEach(inbox::drop);

        await().atMost(SETTLED).until(() -> files.keySet().stream().allMatch(n -> inbox.failed(n).size() == 1));
        for (String name : files.keySet()) {
            JsonNode error = InboxFolder.readJson(InboxFolder.errorFileOf(inbox.failed(name).get(0)));
            assertThat(error.path("status").asText()).as(name).isEqualTo("failure");
            assertThat(error.path("error").asText()).as(name).isEqualTo("empty payload");
        }
        wireMock.verify(0, postRequestedFor(urlEqualTo(TARGET)));
    }

    /**
     * Bug hunt: the inbox followed symbolic links (the service, often root, read /etc/passwd through one
     * and echoed "Unrecognized token 'root'" into the reason file; a link to a valid policy was deployed).
     * Now a link is never followed: the link itself goes to the failed folder, its target stays untouched.
     */
    @Test
    void symbolicLinksAreNeverFollowedAndTheLinkItselfEndsInFailed() throws Exception {
        Path outside = Files.createTempDirectory("outside-inbox");
        Path secret = Files.writeString(outside.resolve("passwd"), "root:x:0:0:secret-" + run + ":/root:/bin/bash\n");
        String linkedId = "linked-" + run;
        Path policy = Files.writeString(outside.resolve("policy.json"), InboxFolder.policy(linkedId, "Through a link"));
        Map<String, Path> links = Map.of("link-secret-" + run + ".json", secret, "link-policy-" + run + ".json", policy);
        links.forEach((name, target) -> createSymbolicLink(inbox.dir().resolve(name), target));

        await().atMost(SETTLED).until(() -> links.keySet().stream().allMatch(n -> inbox.failed(n).size() == 1));
        for (Map.Entry<String, Path> link : links.entrySet()) {
            Path failed = inbox.failed(link.getKey()).get(0);
            assertThat(Files.isSymbolicLink(failed)).as(link.getKey()).isTrue();
            assertThat(Files.readSymbolicLink(failed)).isEqualTo(link.getValue());
            assertNotRegularFileRefusal(link.getKey(), failed, "inode/symlink");
            assertThat(Files.readString(InboxFolder.errorFileOf(failed))).doesNotContain("root").doesNotContain("secret");
        }
        assertThat(Files.readString(secret)).startsWith("root:x:0:0:secret-" + run);
        assertThat(Files.readString(policy)).isEqualTo(InboxFolder.policy(linkedId, "Through a link"));
        assertThat(deliveriesOf(linkedId)).isEmpty();
    }

    /**
     * Bug hunt: a directory named *.json, a link to a directory and a dangling link were never listed or never
     * movable, and stayed in the inbox for ever without a word. Now each is refused and moved to failed like
     * the other non-regular entries; a sub-folder not named like a policy is left alone.
     */
    @Test
    void aDirectoryNamedLikeAPolicyALinkToOneAndADanglingLinkEndInFailed() throws Exception {
        String dirName = "dir-" + run + ".json";
        String linkToDir = "link-dir-" + run + ".json";
        String dangling = "dangling-" + run + ".json";
        Path folder = Files.createDirectory(inbox.dir().resolve(dirName));
        Files.writeString(folder.resolve("inside.json"), InboxFolder.policy("inside-" + run, "Inside a folder"));
        Path outside = Files.createTempDirectory("outside-inbox");
        createSymbolicLink(inbox.dir().resolve(linkToDir), outside);
        Path gone = outside.resolve("not-there.json");
        createSymbolicLink(inbox.dir().resolve(dangling), gone);
        Path subFolder = Files.createDirectory(inbox.dir().resolve("sub-" + run));

        await().atMost(SETTLED).until(() -> List.of(dirName, linkToDir, dangling).stream().allMatch(n -> inbox.failed(n).size() == 1));
        Path failedDir = inbox.failed(dirName).get(0);
        assertThat(Files.isDirectory(failedDir, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(failedDir.resolve("inside.json")).exists();
        assertNotRegularFileRefusal(dirName, failedDir, "inode/directory");
        for (String link : List.of(linkToDir, dangling)) {
            Path failed = inbox.failed(link).get(0);
            assertThat(Files.isSymbolicLink(failed)).as(link).isTrue();
            assertNotRegularFileRefusal(link, failed, "inode/symlink");
        }
        assertThat(Files.readSymbolicLink(inbox.failed(dangling).get(0))).isEqualTo(gone);
        assertThat(subFolder).isDirectory();
        assertThat(deliveriesOf("inside-" + run)).isEmpty();
        Files.delete(subFolder);
    }

    /**
     * Bug hunt: a FIFO named *.json blocked the inbox's one consumer thread for ever in Files.newInputStream,
     * and every other file waited. Now it is never opened: refused, moved to failed, and the next file flows.
     */
    @Test
    void aFifoIsNeverOpenedAndDoesNotHoldUpTheFilesAfterIt() throws Exception {
        String fifoName = "fifo-" + run + ".json";
        Path fifo = inbox.dir().resolve(fifoName);
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        try {
            String id = "after-fifo-" + run;
            inbox.drop(id + ".json", InboxFolder.policy(id, "After a FIFO"));

            await().atMost(SETTLED).until(() -> inbox.failed(fifoName).size() == 1 && inbox.done(id + ".json").size() == 1);
            Path failed = inbox.failed(fifoName).get(0);
            assertThat(Files.readAttributes(failed, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()).as("still a FIFO").isTrue();
            assertNotRegularFileRefusal(fifoName, failed, "inode/fifo");
            assertThat(deliveriesOf(id)).hasSize(1);
        } finally {
            unblockReaderOf(fifo);
        }
    }

    /** Bug hunt: a 100-digit exponent was a 500 "Internal error"; it is malformed input like any other. */
    @Test
    void aNumberWithAHundredDigitExponentFailsAsMalformedJson() {
        String name = "huge-exponent-" + run + ".json";
        inbox.drop(name, "{\"id\":\"num-" + run + "\",\"title\":\"t\",\"content\":\"c\",\"n\":1e" + "9".repeat(100) + "}");

        await().atMost(SETTLED).until(() -> inbox.failed(name).size() == 1);
        JsonNode error = InboxFolder.readJson(InboxFolder.errorFileOf(inbox.failed(name).get(0)));
        assertThat(error.path("status").asText()).isEqualTo("failure");
        assertThat(error.path("error").asText()).startsWith("Malformed JSON: number out of range");
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), error.path("deploymentId").asText()))
                .containsExactly("received", "rejected", "failed");
    }

    /**
     * Bug hunt: a file name that is not valid UTF-8 (made with printf from a shell; Java cannot make one)
     * stayed in the inbox for ever without a word, the service running under a UTF-8 locale (the build's
     * LC_ALL=C.UTF-8). Now one WARN names the folder and says a name could not be decoded, once, not per poll.
     */
    @Test
    void aFileNameThatIsNotUtf8IsWarnedAboutOnceNamingTheFolder() throws Exception {
        String stem = "bad-" + run;
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(record instanceof org.jboss.logmanager.ExtLogRecord ext ? ext.getFormattedMessage()
                            : String.valueOf(record.getMessage()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(InboxReadLock.class.getName());
        logger.addHandler(handler);
        try {
            Process printf = new ProcessBuilder("sh", "-c", "printf '{}' > \"$(printf '%s\\377\\376.json' \"$1\")\"", "sh",
                    inbox.dir().resolve(stem).toString()).inheritIO().start();
            assertThat(printf.waitFor()).isZero();

            await().atMost(SETTLED).until(() -> warnings.stream().anyMatch(w -> w.contains(stem)));
            // Several polls later (500 ms apart), still the one warning.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> warnings.stream().filter(w -> w.contains(stem)).count() == 1);
            assertThat(warnings).filteredOn(w -> w.contains(stem)).singleElement().asString()
                    .contains(inbox.dir().toString()).contains("could not be decoded");
        } finally {
            logger.removeHandler(handler);
            new ProcessBuilder("find", inbox.dir().toString(), "-maxdepth", "1", "-name", stem + "*", "-delete")
                    .inheritIO().start().waitFor();
        }
    }

    private static void assertNotRegularFileRefusal(String name, Path failed, String kind) {
        JsonNode error = InboxFolder.readJson(InboxFolder.errorFileOf(failed));
        assertThat(error.path("status").asText()).as(name).isEqualTo("failure");
        assertThat(error.path("error").asText()).as(name).startsWith("Not a regular file (" + kind + ")");
        assertThat(AuditLogReader.stepsOf(PipelineTestResources.auditFile(), error.path("deploymentId").asText()))
                .as(name).containsExactly("received", "rejected", "failed");
    }

    private static void createSymbolicLink(Path link, Path target) {
        try {
            Files.createSymbolicLink(link, target);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * If the service is (wrongly) blocked opening the FIFO, a writer that opens and closes it gives the reader
     * its end of file, so one failed test does not hang every test after it. On a daemon thread: opening a
     * FIFO for writing blocks while nobody reads it.
     */
    private static void unblockReaderOf(Path fifo) {
        if (!Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Thread writer = new Thread(() -> {
            try (var out = Files.newOutputStream(fifo, java.nio.file.StandardOpenOption.WRITE)) {
                out.flush();
            } catch (java.io.IOException ignored) {
                // gone meanwhile: nobody to unblock
            }
        }, "unblock-fifo");
        writer.setDaemon(true);
        writer.start();
    }

    private List<LoggedRequest> deliveriesOf(String policyId) {
        return wireMock.findAll(postRequestedFor(urlEqualTo(TARGET)).withHeader("X-Policy-Id", equalTo(policyId)));
    }

    private static String onlyDeploymentOf(String fileName) {
        List<String> deployments = AuditLogReader.fileDeployments(PipelineTestResources.auditFile(), fileName);
        assertThat(deployments).as("deployments of " + fileName).hasSize(1);
        return deployments.get(0);
    }

    private static List<List<String>> trailsOf(String fileName) {
        return AuditLogReader.fileDeployments(PipelineTestResources.auditFile(), fileName).stream()
                .map(id -> AuditLogReader.stepsOf(PipelineTestResources.auditFile(), id))
                .toList();
    }

    private static String lastStep(String deploymentId) {
        List<String> steps = AuditLogReader.stepsOf(PipelineTestResources.auditFile(), deploymentId);
        return steps.isEmpty() ? "" : steps.get(steps.size() - 1);
    }

    private static JsonNode withoutDeploymentId(JsonNode result) {
        ObjectNode copy = result.deepCopy();
        copy.remove("deploymentId");
        return copy;
    }

    private static byte[] withBom(byte[] bom, byte[] text) {
        byte[] all = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, all, 0, bom.length);
        System.arraycopy(text, 0, all, bom.length, text.length);
        return all;
    }
}
