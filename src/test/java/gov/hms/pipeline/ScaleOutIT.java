package gov.hms.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.support.ExternalArtemis;
import gov.hms.pipeline.support.InboxFolder;
import gov.hms.pipeline.support.IndependentAuditCheck;
import gov.hms.pipeline.support.PackagedService;
import gov.hms.pipeline.support.RecordingTarget;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, must show: several instances, one service. As separate processes: a real PostgreSQL
 * (zonky's binaries) holding the ledger, a real external Artemis from its distribution, and two
 * instances of the packaged service ({@code node-a}, {@code node-b}) on one shared inbox folder and one
 * shared audit folder (a chain per instance), each with its own data folder. 300 policies over HTTP (split between the instances, a
 * request that fails on one retried on the other, as a load balancer would), 300 to the queue, 300
 * into the shared inbox; {@code node-a} is killed with SIGKILL once a third of the packages have
 * arrived, and started again once the survivor has taken over its inbox files. Two targets and one
 * subscriber are real HTTP servers in this JVM.
 * <p>
 * Asserted and printed: every policy delivered to every target; one {@code Idempotency-Key} per policy
 * (one intent each) at every target; one event per policy to the subscriber, for the policies the kill
 * cut off too; 0 lost (every policy live and in sync, nothing dead-lettered or
 * failed, the inbox empty); 0 deployments without a final record (in the ledger and across both audit
 * chains); both chains verify, on either instance ({@code GET /api/audit/verify} covers every chain), and
 * either instance answers a policy's history from the other's chain; both instances answer the same
 * catalogue; a third process on {@code node-a}'s data folder, and a fourth with {@code node-a}'s instance
 * id on another data folder, refuse to start within 30 s, naming the folder and the holder. Printed
 * too: the failover times, per-instance throughput, and the database's commits per deployment.
 */
class ScaleOutIT {

    private static final int PER_SOURCE = Integer.getInteger("scaleout.per-source", 300);
    private static final String QUEUE = "policies.approved";
    private static final Duration CLAIM_LEASE = Duration.ofSeconds(6);
    private static final int MAX_DELIVERIES = 6;

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, String> report = new LinkedHashMap<>();
    private final Map<PackagedService, String> nodeNames = new ConcurrentHashMap<>();

    @AfterEach
    void stopEverything() {
        Collections.reverse(started);
        for (AutoCloseable resource : started) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("ScaleOutIT: could not stop " + resource + ": " + e);
            }
        }
        System.out.println("ScaleOutIT results:");
        report.forEach((key, value) -> System.out.println("  " + key + ": " + value));
    }

    private <T extends AutoCloseable> T started(T resource) {
        started.add(resource);
        return resource;
    }

    @Test
    void twoInstancesOnPostgresAndAnExternalBrokerLoseNothingWhenOneIsKilled() throws Exception {
        Path root = Files.createTempDirectory("pipeline-scale-out-");
        Path inboxDir = root.resolve("shared/inbox");
        Path auditDir = root.resolve("shared/audit");
        InboxFolder inbox = new InboxFolder(inboxDir);
        Files.createDirectories(inboxDir);
        RecordingTarget alpha = started(new RecordingTarget());
        RecordingTarget bravo = started(new RecordingTarget());
        RecordingTarget hook = started(new RecordingTarget());

        Instant setUp = Instant.now();
        // PostgreSQL's own default: every commit waits for its WAL flush (zonky's server turns that off).
        EmbeddedPostgres postgres = started(EmbeddedPostgres.builder().setDataDirectory(root.resolve("postgres"))
                .setCleanDataDirectory(true).setServerConfig("synchronous_commit", "on").start());
        ExternalArtemis broker = started(new ExternalArtemis(root, QUEUE, MAX_DELIVERIES));
        DataSource database = postgres.getPostgresDatabase();
        report.put("set-up (PostgreSQL + Artemis)", Duration.between(setUp, Instant.now()).toMillis() + " ms");

        List<String> targets = List.of("-Xmx256m",
                "-Dpipeline.targets.alpha.url=" + alpha.url("/alpha"), "-Dpipeline.targets.bravo.url=" + bravo.url("/bravo"),
                "-Dpipeline.subscribers.hook.url=" + hook.url("/hook"),
                "-Dpipeline.subscribers.hook.secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        List<String> common = List.of(with(targets,
                "-Dquarkus.datasource.h2.active=false", "-Dquarkus.datasource.postgresql.active=true",
                "-Dquarkus.datasource.postgresql.jdbc.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "-Dquarkus.datasource.postgresql.username=postgres", "-Dquarkus.datasource.postgresql.password=postgres",
                "-Dpipeline.broker.embedded=false", "-Dpipeline.broker.url=" + broker.coreUrl(),
                "-Dpipeline.broker.user=" + ExternalArtemis.USER, "-Dpipeline.broker.password=" + ExternalArtemis.PASSWORD,
                "-Dpipeline.queue.concurrent-consumers=2", "-Dpipeline.queue.max-redeliveries=" + (MAX_DELIVERIES - 1),
                "-Dpipeline.inbox.dir=" + inboxDir, "-Dpipeline.inbox.quiet-period=200ms",
                "-Dpipeline.audit.shared-dir=" + auditDir,
                "-Dpipeline.inbox.claim-lease=" + CLAIM_LEASE.toSeconds() + "s",
                "-Dpipeline.ledger.heartbeat=2s"));
        Path homeA = Files.createDirectories(root.resolve("node-a"));
        Path homeB = Files.createDirectories(root.resolve("node-b"));
        PackagedService a = started(new PackagedService(homeA));
        PackagedService b = started(new PackagedService(homeB));
        nodeNames.put(a, "node-a");
        nodeNames.put(b, "node-b");
        a.start(homeA.resolve("life-1.log"), with(common, "-Dpipeline.audit.instance=node-a"));
        b.start(homeB.resolve("life-1.log"), with(common, "-Dpipeline.audit.instance=node-b"));
        a.awaitReady();
        b.awaitReady();
        long commitsBefore = commits(database);

        // The load: all three sources at once.
        Instant t0 = Instant.now();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<String>> answers = new ArrayList<>();
        Map<String, AtomicInteger> answeredBy = new ConcurrentHashMap<>(Map.of("node-a", new AtomicInteger(),
                "node-b", new AtomicInteger()));
        List<Duration> retriedAfterKill = Collections.synchronizedList(new ArrayList<>());
        Instant[] killedAt = {Instant.MAX};
        for (int n = 0; n < PER_SOURCE; n++) {
            String id = String.format("http-%03d", n);
            boolean toA = n % 2 == 0;
            answers.add(clients.submit(() -> deployOverHttp(id, toA ? a : b, toA ? b : a, answeredBy, retriedAfterKill,
                    killedAt)));
        }
        Thread sender = new Thread(() -> sendToQueue(broker));
        sender.start();
        for (int n = 0; n < PER_SOURCE; n++) {
            inbox.drop(String.format("inbox-%03d.json", n), policy(String.format("inbox-%03d", n)));
        }

        // kill -9 of node-a once a third of the packages have arrived.
        await().atMost(Duration.ofMinutes(3)).until(() -> alpha.count() + bravo.count() >= 2 * PER_SOURCE);
        a.kill();
        killedAt[0] = Instant.now();
        report.put("node-a killed (SIGKILL) after", Duration.between(t0, killedAt[0]).toMillis() + " ms, "
                + (alpha.count() + bravo.count()) + " of " + 6 * PER_SOURCE + " packages delivered");
        Set<String> claimedByDead = query(database, "SELECT file_name FROM inbox_claim WHERE claimed_by = 'node-a'");
        Set<String> inFlightOnDead = query(database,
                "SELECT policy_id FROM policy_lease WHERE instance = 'node-a'");
        report.put("node-a held at the kill", "inbox claims " + claimedByDead + ", policy leases " + inFlightOnDead);

        // node-b takes node-a's inbox files over once their claims run out (node-a is still down).
        await().atMost(CLAIM_LEASE.plusSeconds(60)).until(() -> claimedByDead.stream().noneMatch(inbox::inInbox));
        Duration inboxTakeover = Duration.between(killedAt[0], Instant.now());
        report.put("inbox failover (node-a's claimed files deployed by node-b)", claimedByDead.isEmpty()
                ? "no file was claimed at the kill" : inboxTakeover.toMillis() + " ms (bound: claim lease "
                        + CLAIM_LEASE.toSeconds() + " s + quiet period + a poll)");
        if (!claimedByDead.isEmpty()) {
            assertThat(inboxTakeover).isLessThan(CLAIM_LEASE.plusSeconds(30));
        }

        Instant restart = Instant.now();
        a.start(homeA.resolve("life-2.log"), with(common, "-Dpipeline.audit.instance=node-a"));
        a.awaitReady();
        report.put("node-a ready again after", Duration.between(restart, Instant.now()).toMillis() + " ms");

        sender.join(TimeUnit.MINUTES.toMillis(3));
        for (Future<String> answer : answers) {
            assertThat(answer.get(5, TimeUnit.MINUTES)).isEqualTo("success");
        }
        clients.shutdown();
        Set<String> all = new HashSet<>();
        for (String source : List.of("http", "queue", "inbox")) {
            IntStream.range(0, PER_SOURCE).forEach(n -> all.add(String.format("%s-%03d", source, n)));
        }
        await().atMost(Duration.ofMinutes(3)).until(() -> policies(alpha).containsAll(all) && policies(bravo).containsAll(all)
                && pending(database) == 0 && inboxFiles(inboxDir).isEmpty());
        Instant done = Instant.now();
        report.put("all " + all.size() + " policies at both targets after", Duration.between(t0, done).toMillis() + " ms");

        // Every policy delivered to every target, with one Idempotency-Key per policy (one intent each).
        assertThat(policies(alpha)).isEqualTo(all);
        assertThat(policies(bravo)).isEqualTo(all);
        Map<String, Set<String>> keys = new TreeMap<>();
        Stream.concat(alpha.received().stream(), bravo.received().stream())
                .forEach(r -> keys.computeIfAbsent(r.policyId(), k -> new HashSet<>()).add(r.idempotencyKey()));
        assertThat(keys.entrySet().stream().filter(e -> e.getValue().size() != 1).map(Map.Entry::getKey).toList())
                .as("policies that reached a target under more than one Idempotency-Key").isEmpty();
        int again = alpha.count() + bravo.count() - 2 * all.size();
        report.put("packages delivered", (alpha.count() + bravo.count()) + " (" + again
                + " delivered again with the same key after the crash)");
        report.put("Idempotency-Keys per policy", "1 for all " + keys.size());

        // 0 lost: live and in sync everywhere, nothing dead-lettered, failed or left in the inbox.
        JsonNode catalogueA = catalogue(a);
        JsonNode catalogueB = catalogue(b);
        assertThat(catalogueA).as("the catalogue from node-a equals node-b's").isEqualTo(catalogueB);
        List<String> notLive = new ArrayList<>();
        for (JsonNode policy : catalogueA) {
            for (JsonNode target : policy.path("targets")) {
                if (!target.path("inSync").asBoolean()) {
                    notLive.add(policy.path("policyId").asText() + "@" + target.path("target").asText());
                }
            }
        }
        assertThat(catalogueA).hasSize(all.size());
        assertThat(notLive).as("out of sync").isEmpty();
        assertThat(dlqDepth(broker)).as("messages dead-lettered").isZero();
        assertThat(inboxFiles(inboxDir.resolve(".failed"))).as("inbox files failed").isEmpty();
        assertThat(inboxFiles(inboxDir.resolve(".done")).stream().filter(name -> !name.endsWith(".result.json")))
                .hasSize(PER_SOURCE);
        report.put("lost", "0 (" + catalogueA.size() + " policies live and in sync at both targets, DLQ 0, "
                + "inbox .failed 0, inbox empty)");
        report.put("catalogue node-a == node-b", "yes (" + catalogueA.size() + " entries)");

        // 0 deployments without a final record: in the ledger, and in the two audit chains together.
        assertThat(query(database, "SELECT deployment_id FROM deployment WHERE status = 'delivering'")).isEmpty();
        List<JsonNode> chainA = IndependentAuditCheck.records(auditDir.resolve("audit.node-a.jsonl"));
        List<JsonNode> chainB = IndependentAuditCheck.records(auditDir.resolve("audit.node-b.jsonl"));
        Map<String, Integer> finals = new HashMap<>();
        Set<String> begun = new HashSet<>();
        Stream.concat(chainA.stream(), chainB.stream()).forEach(record -> {
            String id = record.path("deploymentId").asText();
            String step = record.path("step").asText();
            if (step.equals("received")) {
                begun.add(id);
            } else if (Set.of("completed", "failed", "interrupted").contains(step)) {
                finals.merge(id, 1, Integer::sum);
            }
        });
        assertThat(begun.stream().filter(id -> finals.getOrDefault(id, 0) != 1).toList())
                .as("deployments without exactly one final record").isEmpty();
        long interrupted = Stream.concat(chainA.stream(), chainB.stream())
                .filter(r -> r.path("step").asText().equals("interrupted")).count();
        report.put("deployments", begun.size() + ", each with one final record (" + interrupted
                + " of them 'interrupted', written by node-a's restart)");
        assertThat(chainA).allMatch(r -> r.path("instance").asText().equals("node-a"));
        assertThat(chainB).allMatch(r -> r.path("instance").asText().equals("node-b"));

        // Every chain verifies: by the service on either instance (each covers both chains), and independently.
        for (PackagedService node : List.of(a, b)) {
            Instant asked = Instant.now();
            JsonNode verify = mapper.readTree(node.get("/api/audit/verify").body());
            long took = Duration.between(asked, Instant.now()).toMillis();
            assertThat(verify.path("ok").asBoolean()).as(verify.toString()).isTrue();
            assertThat(verify.path("chains").findValuesAsText("instance")).containsExactly("node-a", "node-b");
            assertThat(verify.path("chains").findValues("ok")).allMatch(JsonNode::asBoolean);
            assertThat(verify.path("records").asLong()).isGreaterThanOrEqualTo(chainA.size() + chainB.size());
            report.put("GET /api/audit/verify on " + nodeNames.get(node), "both chains ok, "
                    + verify.path("records").asLong() + " records in " + took + " ms");
        }
        IndependentAuditCheck.assertChain(chainA);
        IndependentAuditCheck.assertChain(chainB);
        report.put("audit chains", "node-a " + chainA.size() + " records, node-b " + chainB.size()
                + " records in one shared folder; both verify (GET /api/audit/verify and an independent check)");
        // A policy's history from node-a includes what node-b wrote (its chain, read from the shared folder).
        String ofB = chainB.stream().filter(r -> r.path("step").asText().equals("completed")).findFirst().orElseThrow()
                .path("policyId").asText();
        Set<String> deploymentsOfB = Stream.concat(chainA.stream(), chainB.stream())
                .filter(r -> ofB.equals(r.path("policyId").asText())).map(r -> r.path("deploymentId").asText())
                .collect(Collectors.toSet());
        Set<String> expected = Stream.concat(chainA.stream(), chainB.stream())
                .filter(r -> deploymentsOfB.contains(r.path("deploymentId").asText())).map(r -> r.path("hash").asText())
                .collect(Collectors.toSet());
        JsonNode history = mapper.readTree(a.get("/api/audit?policyId=" + ofB + "&limit=1000").body());
        assertThat(history.path("records").findValuesAsText("hash")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(history.path("records").findValuesAsText("instance")).contains("node-b");

        // The queue: messages in flight on node-a came back to another consumer with their count.
        List<JsonNode> redelivered = Stream.concat(chainA.stream(), chainB.stream())
                .filter(r -> r.path("step").asText().equals("received") && r.path("source").asText().equals("queue")
                        && !r.path("detail").asText().contains("(delivery 1 of"))
                .toList();
        Instant firstRedelivery = redelivered.stream().map(r -> Instant.parse(r.path("time").asText()))
                .filter(time -> time.isAfter(killedAt[0])).min(Instant::compareTo).orElse(null);
        report.put("queue failover (first redelivery after the kill)", firstRedelivery == null
                ? "no message was in flight on node-a" : Duration.between(killedAt[0], firstRedelivery).toMillis()
                        + " ms; " + redelivered.size() + " redelivered, e.g. " + redelivered.get(0).path("detail").asText());
        report.put("HTTP failover (a request cut off by the kill, answered by node-b)", retriedAfterKill.isEmpty()
                ? "no request was cut off" : "longest " + Collections.max(retriedAfterKill).toMillis() + " ms after the kill ("
                        + retriedAfterKill.size() + " request(s))");
        report.put("HTTP answers", "node-a " + answeredBy.get("node-a") + ", node-b " + answeredBy.get("node-b"));

        // The cost on the shared store (commits seen by PostgreSQL, all instances' background work included).
        long commits = commits(database) - commitsBefore;
        int deployments = query(database, "SELECT deployment_id FROM deployment").size();
        report.put("PostgreSQL commits per deployment", String.format("%.1f (%d commits, %d deployments, 2 targets,"
                + " 1 subscriber; background work included)", (double) commits / deployments, commits, deployments));
        Map<String, Long> completedBeforeKill = Stream.concat(chainA.stream(), chainB.stream())
                .filter(r -> r.path("step").asText().equals("completed")
                        && Instant.parse(r.path("time").asText()).isBefore(killedAt[0]))
                .collect(Collectors.groupingBy(r -> r.path("instance").asText(), TreeMap::new, Collectors.counting()));
        double seconds = Duration.between(t0, killedAt[0]).toMillis() / 1000.0;
        report.put("throughput before the kill (all sources)", completedBeforeKill.entrySet().stream()
                .map(e -> String.format("%s %.1f/s", e.getKey(), e.getValue() / seconds)).collect(Collectors.joining(", ")));
        report.put("PostgreSQL commit rate (JDBC loop, INSERT + commit, synchronous_commit=on)", commitRate(database, 1)
                + "/s on 1 connection, " + commitRate(database, 8) + "/s on 8");
        // Every policy is notified exactly once, those the kill cut off between their deliveries and
        // their notification round too (the deployment that carries them on runs that round).
        await().atMost(Duration.ofMinutes(3)).until(() -> policies(hook).containsAll(all));
        Set<String> notified = policies(hook);
        long events = hook.received().stream().map(RecordingTarget.Received::webhookId).distinct().count();
        assertThat(events).as("one event per policy").isEqualTo(all.size());
        Set<String> inFlightNotified = inFlightOnDead.stream().filter(notified::contains).collect(Collectors.toCollection(TreeSet::new));
        report.put("notifications", events + " events for " + notified.size() + " of " + all.size() + " policies, "
                + hook.count() + " requests (" + (hook.count() - events) + " sent again with the same webhook-id); "
                + "in flight on node-a at the kill and notified once all the same: " + inFlightNotified.size());

        if (Boolean.getBoolean("scaleout.compare")) {
            // BENCHMARKS.md: the same HTTP load on the two instances (shared PostgreSQL and Artemis), then
            // on one instance with the embedded defaults (H2, embedded broker), one after the other.
            double shared = throughput(List.of(a, b), "bench-shared", 400);
            report.put("HTTP throughput, 2 instances on PostgreSQL + Artemis, concurrency 8",
                    String.format("%.0f/s in all, %.0f/s per instance", shared, shared / 2));
            Path homeE = Files.createDirectories(root.resolve("embedded"));
            try (PackagedService embedded = new PackagedService(homeE)) {
                embedded.start(homeE.resolve("life.log"), with(targets, "-Dpipeline.inbox.enabled=false"));
                embedded.awaitReady();
                double alone = throughput(List.of(embedded), "bench-embedded", 400);
                report.put("HTTP throughput, 1 instance on the embedded defaults (H2, embedded broker), concurrency 8",
                        String.format("%.0f/s", alone));
            }
        }

        // A second process on node-a's data folder refuses to start at once, naming the folder and holder.
        try (PackagedService intruder = new PackagedService(homeA)) {
            Instant tried = Instant.now();
            Process refused = intruder.start(homeA.resolve("intruder.log"), with(common, "-Dpipeline.audit.instance=node-a"));
            assertThat(refused.waitFor(30, TimeUnit.SECONDS)).as("exited within 30 s").isTrue();
            assertThat(refused.exitValue()).isNotZero();
            assertThat(Files.readString(homeA.resolve("intruder.log"))).contains("is held by another live process")
                    .contains("pid " + a.process().pid()).contains(homeA.resolve("data").toString());
            report.put("a second process on node-a's data folder", "refused, exit " + refused.exitValue() + " after "
                    + Duration.between(tried, Instant.now()).toMillis() + " ms, naming pid " + a.process().pid());
        }
        // Another data folder but node-a's instance id: node-a's chain in the shared audit folder refuses it.
        Path homeC = Files.createDirectories(root.resolve("node-c"));
        try (PackagedService impostor = new PackagedService(homeC)) {
            Instant tried = Instant.now();
            Process refused = impostor.start(homeC.resolve("impostor.log"), with(common, "-Dpipeline.audit.instance=node-a"));
            assertThat(refused.waitFor(30, TimeUnit.SECONDS)).as("exited within 30 s").isTrue();
            assertThat(refused.exitValue()).isNotZero();
            assertThat(Files.readString(homeC.resolve("impostor.log")))
                    .contains("the audit chain of instance node-a in the shared audit folder " + auditDir)
                    .contains("is held by another live process").contains("pid " + a.process().pid());
            report.put("a process with node-a's instance id on another data folder", "refused, exit "
                    + refused.exitValue() + " after " + Duration.between(tried, Instant.now()).toMillis()
                    + " ms, naming the shared audit folder and pid " + a.process().pid());
        }
    }

    private static String[] with(List<String> common, String... more) {
        List<String> all = new ArrayList<>(common);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /**
     * HTTP deployments of {@code count} new policies at concurrency 8, spread over {@code nodes} in turn.
     *
     * @return deployments per second, all of them answered 200
     */
    private double throughput(List<PackagedService> nodes, String prefix, int count) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            Instant start = Instant.now();
            List<Future<Integer>> answers = new ArrayList<>();
            for (int n = 0; n < count; n++) {
                PackagedService node = nodes.get(n % nodes.size());
                String id = String.format("%s-%03d", prefix, n);
                answers.add(clients.submit(() -> http.send(HttpRequest.newBuilder(node.uri("/api/policies"))
                        .timeout(Duration.ofMinutes(1)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(policy(id))).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(200);
            }
            return count * 1000.0 / Duration.between(start, Instant.now()).toMillis();
        } finally {
            clients.shutdown();
        }
    }

    private static String policy(String id) {
        return "{\"id\":\"" + id + "\",\"title\":\"Scale out\",\"content\":\"Content of " + id + ".\"}";
    }

    /**
     * Deploys over HTTP at {@code first}; a request that fails there (connection refused or cut off,
     * 503) is sent to {@code second}, and back, until one answers 200, as a load balancer would.
     */
    private String deployOverHttp(String id, PackagedService first, PackagedService second,
            Map<String, AtomicInteger> answeredBy, List<Duration> retriedAfterKill, Instant[] killedAt) throws Exception {
        PackagedService node = first;
        boolean cutOff = false;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(node.uri("/api/policies"))
                        .timeout(Duration.ofMinutes(3)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(policy(id))).build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    answeredBy.get(nodeNames.get(node)).incrementAndGet();
                    if (cutOff) {
                        retriedAfterKill.add(Duration.between(killedAt[0], Instant.now()));
                    }
                    return mapper.readTree(answer.body()).path("status").asText();
                }
                if (answer.statusCode() != 503) {
                    return answer.statusCode() + " " + answer.body();
                }
            } catch (IOException e) {
                cutOff = true;
            }
            node = node == first ? second : first;
            Thread.sleep(100);
        }
        return "no answer for " + id;
    }

    private static void sendToQueue(ExternalArtemis broker) {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.coreUrl(), ExternalArtemis.USER,
                ExternalArtemis.PASSWORD); Connection connection = factory.createConnection()) {
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageProducer producer = session.createProducer(session.createQueue(QUEUE));
            for (int n = 0; n < PER_SOURCE; n++) {
                producer.send(session.createTextMessage(policy(String.format("queue-%03d", n))));
                if (n % 50 == 49) {
                    session.commit();
                }
            }
            session.commit();
        } catch (Exception e) {
            throw new IllegalStateException("could not send to the queue", e);
        }
    }

    private static long dlqDepth(ExternalArtemis broker) throws Exception {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.coreUrl(), ExternalArtemis.USER,
                ExternalArtemis.PASSWORD); Connection connection = factory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try (QueueBrowser browser = session.createBrowser(session.createQueue(QUEUE + ".DLQ"))) {
                return Collections.list(browser.getEnumeration()).size();
            }
        }
    }

    private static Set<String> policies(RecordingTarget target) {
        return target.received().stream().map(RecordingTarget.Received::policyId).collect(Collectors.toSet());
    }

    /** Policy files (not hidden, not folders) left in a folder. */
    private static List<String> inboxFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith(".")).toList();
        }
    }

    /** The whole catalogue, every page. */
    private JsonNode catalogue(PackagedService node) throws Exception {
        var items = mapper.createArrayNode();
        String cursor = null;
        do {
            JsonNode page = mapper.readTree(node.get("/api/policies?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor)).body());
            page.path("items").forEach(items::add);
            cursor = page.path("next").isNull() || page.path("next").isMissingNode() ? null : page.path("next").asText();
        } while (cursor != null);
        return items;
    }

    private static long pending(DataSource database) throws Exception {
        return query(database, "SELECT deployment_id FROM deployment WHERE status = 'delivering'").size();
    }

    private static Set<String> query(DataSource database, String sql) throws Exception {
        Set<String> rows = new HashSet<>();
        try (java.sql.Connection connection = database.getConnection(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        return rows;
    }

    /** Transactions committed in the database so far (PostgreSQL's statistics, flushed within a second). */
    private static long commits(DataSource database) throws Exception {
        Thread.sleep(1500);
        try (java.sql.Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet result = statement.executeQuery(
                    "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    /** Single-row INSERTs, each its own commit, on {@code connections} connections for 2 s: commits per second. */
    private static long commitRate(DataSource database, int connections) throws Exception {
        try (java.sql.Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS commit_rate (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ, note VARCHAR(64))");
        }
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        AtomicInteger committed = new AtomicInteger();
        Instant end = Instant.now().plusSeconds(2);
        List<Future<?>> loops = new ArrayList<>();
        for (int n = 0; n < connections; n++) {
            loops.add(pool.submit(() -> {
                try (java.sql.Connection connection = database.getConnection(); PreparedStatement insert =
                        connection.prepareStatement("INSERT INTO commit_rate (at, note) VALUES (now(), ?)")) {
                    connection.setAutoCommit(true);
                    while (Instant.now().isBefore(end)) {
                        insert.setString(1, "commit rate");
                        insert.executeUpdate();
                        committed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> loop : loops) {
            loop.get();
        }
        pool.shutdown();
        return committed.get() / 2;
    }
}
