package gov.hms.pipeline.inbox;

import gov.hms.pipeline.support.LedgerTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Inbox file claims on the embedded H2 ledger (the default). */
@QuarkusTest
@QuarkusTestResource(value = LedgerTestResources.class, restrictToAnnotatedClass = true)
class InboxClaimsH2Test extends InboxClaimScenarios {
}
