package gov.hms.pipeline.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What one target made of a package, as reported in the answer's {@code deliveries} array.
 *
 * @param target     the configured target name ({@code pipeline.targets.<name>})
 * @param status     {@code delivered} or {@code failed}
 * @param httpStatus the target's last HTTP status, or {@code null} when it never answered
 * @param attempts   requests sent, the first included
 * @param error      why the delivery failed; {@code null} on success
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryOutcome(String target, String status, Integer httpStatus, int attempts, String error) {

    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";

    public boolean delivered() {
        return DELIVERED.equals(status);
    }
}
