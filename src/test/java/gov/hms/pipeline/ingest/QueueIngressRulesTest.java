package gov.hms.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.ingest.QueueIngress.Settlement;
import org.junit.jupiter.api.Test;

/** The queue's decisions, without a broker: who the actor is, how a message is settled, which properties pass. */
class QueueIngressRulesTest {

    @Test
    void actorIsTheBrokerVouchedUserElseApprovedByElseAnonymous() {
        assertThat(QueueIngress.actorOf("agency-a", "dr.jones")).isEqualTo("agency-a");
        assertThat(QueueIngress.actorOf("", "dr.jones")).isEqualTo("dr.jones");
        assertThat(QueueIngress.actorOf(null, " dr.jones ")).isEqualTo("dr.jones");
        assertThat(QueueIngress.actorOf(null, "  ")).isEqualTo("anonymous");
        assertThat(QueueIngress.actorOf(null, null)).isEqualTo("anonymous");
    }

    @Test
    void successAcknowledgesPermanentFailureDeadLettersTransientFailureRedeliversUntilTheLastDelivery() {
        assertThat(QueueIngress.settlementOf(result("success", 200), 1, 3)).isEqualTo(Settlement.ACKNOWLEDGE);
        for (int status : new int[] {400, 413, 415, 422}) {
            assertThat(QueueIngress.settlementOf(result("failure", status), 1, 3)).isEqualTo(Settlement.DEAD_LETTER);
        }
        assertThat(QueueIngress.settlementOf(result("failure", 502), 1, 3)).isEqualTo(Settlement.REDELIVER);
        assertThat(QueueIngress.settlementOf(result("failure", 500), 2, 3)).isEqualTo(Settlement.REDELIVER);
        assertThat(QueueIngress.settlementOf(result("failure", 502), 3, 3)).isEqualTo(Settlement.DEAD_LETTER);
        assertThat(QueueIngress.settlementOf(null, 1, 3)).isEqualTo(Settlement.REDELIVER);
    }

    @Test
    void noInboundPropertyBecomesAHeaderWhateverItsCaseAndOnlyKnownOnesGoOut() {
        QueueHeaderFilter filter = new QueueHeaderFilter();
        for (String name : new String[] {"cAMELhTTPuRI", "CAMELFILENAME", "CamelJmsDestinationName", "approvedBy",
                "JMSXUserID", "Authorization", "deploymentId"}) {
            assertThat(filter.applyFilterToExternalHeaders(name, "x", null)).as(name).isTrue();
        }
        assertThat(filter.applyFilterToCamelHeaders("failureReason", "x", null)).isFalse();
        assertThat(filter.applyFilterToCamelHeaders("JMSCorrelationID", "x", null)).isFalse();
        assertThat(filter.applyFilterToCamelHeaders("FAILUREREASON", "x", null)).isTrue();
        assertThat(filter.applyFilterToCamelHeaders("CamelHttpUri", "x", null)).isTrue();
    }

    private static DeploymentResult result(String status, int httpStatus) {
        return new DeploymentResult(status, null, null, "d", null, null, null, null, null, null, null, httpStatus);
    }

    @Test
    void senderChosenIdsCannotForgeLogLinesOrGrowWithoutBound() {
        assertThat(QueueIngress.printable("ID:abc\nFAKE audit line\r")).isEqualTo("ID:abc?FAKE audit line?");
        assertThat(QueueIngress.printable("x".repeat(500))).hasSize(201);
        assertThat(QueueIngress.printable(null)).isNull();
    }
}
