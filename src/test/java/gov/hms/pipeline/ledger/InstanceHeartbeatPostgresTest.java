package gov.hms.pipeline.ledger;

import gov.hms.pipeline.support.PostgresLedgerTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Instance heartbeats and the policy leases of dead instances on a real PostgreSQL server. */
@QuarkusTest
@QuarkusTestResource(value = PostgresLedgerTestResources.class, restrictToAnnotatedClass = true)
class InstanceHeartbeatPostgresTest extends InstanceHeartbeatScenarios {
}
