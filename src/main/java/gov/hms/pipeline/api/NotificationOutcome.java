package gov.hms.pipeline.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What one subscriber made of the deployment's CloudEvent ({@code notifications} array of the answer).
 *
 * @param subscriber the configured subscriber name ({@code pipeline.subscribers.<name>})
 * @param status     {@code notified}, {@code pending} (not taken yet; retried from the durable outbox)
 *                   or {@code failed} (given up: {@code 410 Gone}, subscriber disabled, retries used up)
 * @param httpStatus the subscriber's HTTP status, or {@code null} when it never answered
 * @param error      why the notification failed; {@code null} on success
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NotificationOutcome(String subscriber, String status, Integer httpStatus, String error) {

    public static final String NOTIFIED = "notified";
    public static final String FAILED = "failed";
    public static final String PENDING = "pending";
}
