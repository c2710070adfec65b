package gov.hms.pipeline.delivery;

/** At least one target did not accept the package after all attempts (HTTP 502 to the caller). */
public class DeliveryFailedException extends RuntimeException {

    public DeliveryFailedException(String message) {
        super(message);
    }
}
