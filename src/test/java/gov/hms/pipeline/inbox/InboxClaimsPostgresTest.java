package gov.hms.pipeline.inbox;

import gov.hms.pipeline.support.PostgresLedgerTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Inbox file claims on a real PostgreSQL server, chosen by run-time configuration alone. */
@QuarkusTest
@QuarkusTestResource(value = PostgresLedgerTestResources.class, restrictToAnnotatedClass = true)
class InboxClaimsPostgresTest extends InboxClaimScenarios {
}
