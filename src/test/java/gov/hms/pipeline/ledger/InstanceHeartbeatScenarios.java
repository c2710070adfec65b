package gov.hms.pipeline.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a policy lease held by an instance that died is free once that instance's heartbeat stops,
 * long before the lease itself runs out; on H2 ({@link InstanceHeartbeatH2Test}) and a real PostgreSQL
 * ({@link InstanceHeartbeatPostgresTest}). Other instances are played by rows and by further
 * {@link InstanceHeartbeat}s under other names.
 */
abstract class InstanceHeartbeatScenarios {

    @Inject
    PolicyLeases leases;

    @Inject
    LedgerDatabase database;

    @Test
    void theLeaseOfAnInstanceWhoseHeartbeatStoppedIsFreeAtOnceAndALiveOnesIsNot() throws Exception {
        InstanceHeartbeat dead = new InstanceHeartbeat(database, "node-dead", Duration.ofMillis(100));
        InstanceHeartbeat live = new InstanceHeartbeat(database, "node-live", Duration.ofMinutes(1));
        dead.beat();
        live.beat();
        Instant inAQuarterOfAnHour = Instant.now().plus(Duration.ofMinutes(15));
        holdLease("heartbeat-dead", "node-dead", inAQuarterOfAnHour);
        holdLease("heartbeat-live", "node-live", inAQuarterOfAnHour);
        try (Connection connection = database.connection()) {
            // node-dead's last beat said "alive for 300 ms more"; that has passed.
            Sql.update(connection, "UPDATE instance_heartbeat SET alive_until = ? WHERE instance = 'node-dead'",
                    Instant.now().minusSeconds(1));
        }

        assertThat(leases.tryAcquire("heartbeat-dead", "taker")).as("the dead instance's lease").isTrue();
        assertThat(leases.tryAcquire("heartbeat-live", "taker")).as("the live instance's lease").isFalse();
        leases.release("heartbeat-dead", "taker");

        dead.beat();   // the instance started again under its name: alive, its leases held again
        holdLease("heartbeat-dead-2", "node-dead", inAQuarterOfAnHour);
        assertThat(leases.tryAcquire("heartbeat-dead-2", "taker")).isFalse();
        try (Connection connection = database.connection()) {
            Sql.update(connection, "DELETE FROM policy_lease WHERE policy_id LIKE 'heartbeat-%'");
        }
    }

    @Inject
    CutOffDeployments cutOff;

    @Test
    void aDeliveringDeploymentWhoseLeaseIsGoneIsMarkedInterruptedAndOneThatHoldsItIsNot() throws Exception {
        String orphan = java.util.UUID.randomUUID().toString();
        String carried = java.util.UUID.randomUUID().toString();
        try (Connection connection = database.connection()) {
            for (String id : java.util.List.of(orphan, carried)) {
                Sql.update(connection, "INSERT INTO deployment (deployment_id, policy_id, status, source, actor, started_at) "
                        + "VALUES (?, ?, 'delivering', 'http', 'tester', ?)", id, "cut-off-" + id, Instant.now());
            }
            Sql.update(connection, "INSERT INTO policy_lease (policy_id, holder, instance, expires_at) VALUES (?, ?, ?, ?)",
                    "cut-off-" + carried, carried, "node-live", Instant.now().plusSeconds(60));
        }

        assertThat(cutOff.sweep()).doesNotContain(carried);   // the orphan: by this sweep or the background one
        try (Connection connection = database.connection()) {
            assertThat(Sql.queryOne(connection, "SELECT status FROM deployment WHERE deployment_id = ?",
                    row -> row.getString(1), orphan)).hasValue(LedgerInterruptions.INTERRUPTED);
            assertThat(Sql.queryOne(connection, "SELECT status FROM deployment WHERE deployment_id = ?",
                    row -> row.getString(1), carried)).hasValue(LedgerSteps.DELIVERING);
            Sql.update(connection, "DELETE FROM policy_lease WHERE holder = ?", carried);
            Sql.update(connection, "UPDATE deployment SET status = 'failed' WHERE deployment_id = ?", carried);
        }
    }

    @Test
    void theServiceRecordsItsOwnHeartbeatAtStartUp() throws Exception {
        try (Connection connection = database.connection()) {
            var aliveUntil = Sql.queryOne(connection, "SELECT alive_until FROM instance_heartbeat WHERE instance = ?",
                    row -> row.getTimestamp(1).toInstant(), "policy-pipeline");
            assertThat(aliveUntil).hasValueSatisfying(until -> assertThat(until).isAfter(Instant.now()));
        }
    }

    private void holdLease(String policyId, String instance, Instant expires) throws Exception {
        try (Connection connection = database.connection(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO policy_lease (policy_id, holder, instance, expires_at) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, policyId);
            insert.setString(2, "holder-of-" + policyId);
            insert.setString(3, instance);
            insert.setTimestamp(4, Timestamp.from(expires));
            assertThat(insert.executeUpdate()).isEqualTo(1);
        }
    }
}
