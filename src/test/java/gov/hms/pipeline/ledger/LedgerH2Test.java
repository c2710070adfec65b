package gov.hms.pipeline.ledger;

import gov.hms.pipeline.support.LedgerTestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The ledger's scenarios on the embedded H2 database (the default). */
@QuarkusTest
@QuarkusTestResource(value = LedgerTestResources.class, restrictToAnnotatedClass = true)
class LedgerH2Test extends LedgerScenarios {
}
