package gov.hms.pipeline.ledger;

import gov.hms.pipeline.validation.PolicyRejectedException;

/**
 * A deployment the ledger refuses as things stand (HTTP 409, RFC 9110 section 15.5.10): a lower
 * version than the live one, the same version with other content, a dead letter superseded by a
 * newer revision, or another deployment of the same policy that does not finish in time.
 */
public class LedgerConflictException extends PolicyRejectedException {

    public LedgerConflictException(String message) {
        super(409, message);
    }
}
