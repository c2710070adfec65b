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
     * {@code HttpOperationFailedException} so the error handler can decide on redelivery, and this
     * target's own timeouts in milliseconds (they override the component-wide defaults):
     * {@code connectTimeout} to open the connection, {@code responseTimeout} and {@code soTimeout}
     * for the answer, so a target that accepts and stays silent fails after its response timeout.
     */
    public String endpointUri() {
        return endpointUri(url, connectTimeout, responseTimeout);
    }

    /** The camel-http producer URI for a POST to {@code url} with these timeouts (shared with subscribers). */
    public static String endpointUri(String url, Duration connectTimeout, Duration responseTimeout) {
        String separator = url.contains("?") ? "&" : "?";
        return url + separator + "httpMethod=POST&throwExceptionOnFailure=true"
                + "&connectTimeout=" + connectTimeout.toMillis()
                + "&responseTimeout=" + responseTimeout.toMillis()
                + "&soTimeout=" + responseTimeout.toMillis();
    }
}
