package gov.hms.pipeline.ledger;

import gov.hms.pipeline.support.LedgerTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Instance heartbeats and the policy leases of dead instances on the embedded H2 ledger. */
@QuarkusTest
@QuarkusTestResource(value = LedgerTestResources.class, restrictToAnnotatedClass = true)
class InstanceHeartbeatH2Test extends InstanceHeartbeatScenarios {
}
