package gov.hms.pipeline.notification;

/** An outbox entry's subscriber is disabled (410 Gone, or by configuration) or no longer configured. */
public class SubscriberUnavailableException extends RuntimeException {

    public SubscriberUnavailableException(String message) {
        super(message);
    }
}
