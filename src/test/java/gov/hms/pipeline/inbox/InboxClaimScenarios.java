package gov.hms.pipeline.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gov.hms.pipeline.ledger.LedgerDatabase;
import gov.hms.pipeline.support.InboxFolder;
import gov.hms.pipeline.support.LedgerTestResources;
import gov.hms.pipeline.support.PipelineTestResources;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: inbox files claimed in the shared ledger, on H2 ({@link InboxClaimsH2Test}) and a real
 * PostgreSQL ({@link InboxClaimsPostgresTest}). Other instances are played by further
 * {@link InboxClaims} on the same database under other instance names; every test uses file names of
 * its own.
 */
abstract class InboxClaimScenarios {

    @Inject
    LedgerDatabase database;

    private InboxClaims instance(String name) {
        return new InboxClaims(database, name, Duration.ofSeconds(30), false);
    }

    @Test
    void aFileIsClaimedByOneInstanceAtATimeAndFreeAgainOnceReleased() throws Exception {
        InboxClaims a = instance("node-a");
        InboxClaims b = instance("node-b");
        assertThat(a.claim("one.json")).isTrue();
        assertThat(b.claim("one.json")).isFalse();
        assertThat(a.claim("one.json")).as("its holder renews it").isTrue();
        b.release("one.json");     // not its claim: nothing happens
        assertThat(b.claim("one.json")).isFalse();
        a.release("one.json");
        assertThat(b.claim("one.json")).isTrue();
        b.release("one.json");
    }

    @Test
    void theClaimOfADeadInstanceRunsOutAndAnotherTakesTheFileOverWhileALiveOneRenewsItsOwn() throws Exception {
        InboxClaims dead = instance("node-dead");
        InboxClaims live = instance("node-live");
        InboxClaims other = instance("node-other");
        assertThat(dead.claim("dead.json")).isTrue();
        assertThat(live.claim("live.json")).isTrue();
        expire("dead.json");
        expire("live.json");
        assertThat(live.renew()).as("the live instance's renewer").isEqualTo(1);

        assertThat(other.claim("dead.json")).as("the dead instance's claim ran out").isTrue();
        assertThat(other.claim("live.json")).as("the live instance renewed its claim").isFalse();
        assertThat(dead.renew()).as("a claim taken over is no longer the dead instance's").isZero();

        // The dead instance starts again: it drops only what it still holds.
        assertThat(dead.claim("restarted.json")).isTrue();
        assertThat(dead.dropClaimsOfPreviousRun()).isEqualTo(1);
        assertThat(other.claim("restarted.json")).isTrue();
        assertThat(live.claim("live.json")).isTrue();
        for (String file : List.of("dead.json", "restarted.json")) {
            other.release(file);
        }
        live.release("live.json");
    }

    @Test
    void eightInstancesRacingForFiftyFilesClaimEachFileExactlyOnce() throws Exception {
        Map<String, String> winners = new ConcurrentHashMap<>();
        List<Future<Integer>> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        try {
            for (int n = 0; n < 8; n++) {
                InboxClaims claims = instance("racer-" + n);
                results.add(pool.submit(() -> {
                    go.await();
                    int won = 0;
                    for (int f = 0; f < 50; f++) {
                        String file = "race-" + f + ".json";
                        if (claims.claim(file)) {
                            assertThat(winners.putIfAbsent(file, "racer")).as(file + " claimed twice").isNull();
                            won++;
                        }
                    }
                    return won;
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get();
            }
            assertThat(total).isEqualTo(50);
            assertThat(winners).hasSize(50);
        } finally {
            pool.shutdownNow();
        }
        try (Connection connection = database.connection();
                PreparedStatement delete = connection.prepareStatement("DELETE FROM inbox_claim WHERE file_name LIKE 'race-%'")) {
            assertThat(delete.executeUpdate()).isEqualTo(50);
        }
    }

    @Test
    void theServiceLeavesAFileAnotherInstanceClaimedAndTakesItOverOnceThatClaimRunsOut() throws Exception {
        LedgerTestResources.healthyTargets();
        InboxFolder inbox = new InboxFolder(PipelineTestResources.inboxDir());
        InboxClaims elsewhere = new InboxClaims(database, "node-elsewhere", Duration.ofSeconds(3), false);
        assertThat(elsewhere.claim("claimed-elsewhere.json")).isTrue();
        Instant claimed = Instant.now();
        inbox.drop("claimed-elsewhere.json", InboxFolder.policy("claimed-elsewhere", "Claimed elsewhere"));

        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(3)).until(() -> inbox.inInbox("claimed-elsewhere.json"));
        await().atMost(Duration.ofSeconds(30)).until(() -> inbox.done("claimed-elsewhere.json").size() == 1);
        Duration takeover = Duration.between(claimed, Instant.now());
        assertThat(takeover).as("taken over once the 3 s claim ran out").isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(inbox.inInbox("claimed-elsewhere.json")).isFalse();
        try (Connection connection = database.connection(); PreparedStatement left = connection.prepareStatement(
                "SELECT COUNT(*) FROM inbox_claim WHERE file_name = 'claimed-elsewhere.json'")) {
            var rows = left.executeQuery();
            rows.next();
            assertThat(rows.getInt(1)).as("the claim is released once the file moved").isZero();
        }
    }

    private void expire(String file) throws Exception {
        try (Connection connection = database.connection(); PreparedStatement expire = connection.prepareStatement(
                "UPDATE inbox_claim SET claimed_until = ? WHERE file_name = ?")) {
            expire.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(1)));
            expire.setString(2, file);
            assertThat(expire.executeUpdate()).isEqualTo(1);
        }
    }
}
