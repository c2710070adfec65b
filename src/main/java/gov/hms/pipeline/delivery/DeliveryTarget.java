package gov.hms.pipeline.delivery;

import java.time.Duration;

/**
 * One enabled live system, as configured under {@code pipeline.targets.<name>}.
 *
 * @param name            the configuration name, used in answers, logs and the audit log
 * @param url             where packages are POSTed
 * @param format          {@code json} or {@code zip}
 * @param connectTimeout  time allowed to connect
 * @param responseTimeout time allowed for the answer
 */
public record DeliveryTarget(String name, String url, String format, Duration connectTimeout, Duration responseTimeout) {

    /**
     * The camel-http endpoint for this target: always POST, failures (non-2xx) raised as
     * {@code HttpOperationFailedException} so the error handler can decide on redelivery.
     */
    public String endpointUri() {
        String separator = url.contains("?") ? "&" : "?";
        return url + separator + "httpMethod=POST&throwExceptionOnFailure=true";
    }
}
