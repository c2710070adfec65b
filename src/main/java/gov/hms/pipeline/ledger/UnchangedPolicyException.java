package gov.hms.pipeline.ledger;

/**
 * The policy is already live, with this very content, at every enabled target: nothing is
 * delivered and nobody is notified; the deployment is answered {@code success} (audit step
 * {@code duplicate}). Thrown by the ledger's admission, caught by the deploy route.
 */
public class UnchangedPolicyException extends RuntimeException {

    /** Whether the exchange's deployment ended this way (after the deploy route caught it). */
    public static boolean endedUnchanged(org.apache.camel.Exchange exchange) {
        return exchange.getProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT) instanceof UnchangedPolicyException;
    }

    public UnchangedPolicyException(String policyId, int revision) {
        super("policy " + policyId + " revision " + revision + " is already live at every target", null, false, false);
    }
}
