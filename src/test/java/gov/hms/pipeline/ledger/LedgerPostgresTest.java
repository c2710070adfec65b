package gov.hms.pipeline.ledger;

import gov.hms.pipeline.support.PostgresLedgerTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The ledger's scenarios on a real PostgreSQL server, chosen by run-time configuration alone. */
@QuarkusTest
@QuarkusTestResource(value = PostgresLedgerTestResources.class, restrictToAnnotatedClass = true)
class LedgerPostgresTest extends LedgerScenarios {
}
