package gov.hms.pipeline.delivery;

import java.time.Duration;
import java.util.Optional;

/** camel-http endpoint URIs for outbound POSTs to targets and subscribers. */
public final class HttpEndpoints {

    private HttpEndpoints() {
    }

    /**
     * @param url      the system's absolute http(s) URL, possibly with its own query
     * @param connectTimeout  time allowed to open the connection
     * @param responseTimeout time allowed for the answer once the request is sent
     * @param username HTTP Basic user, if the system wants one
     * @param password HTTP Basic password; passed {@code RAW(...)} so no character is re-encoded,
     *                 and masked by Camel wherever it logs endpoint URIs
     * @return an endpoint that always POSTs and raises non-2xx answers as
     *         {@code HttpOperationFailedException}, so the error handler decides on redelivery
     */
    public static String post(String url, Duration connectTimeout, Duration responseTimeout,
                              Optional<String> username, Optional<String> password) {
        // Per-system timeouts in milliseconds override the component-wide defaults: a system that
        // accepts the connection and stays silent fails after its response timeout.
        StringBuilder uri = new StringBuilder(url).append(url.contains("?") ? "&" : "?")
                .append("httpMethod=POST&throwExceptionOnFailure=true")
                .append("&connectTimeout=").append(connectTimeout.toMillis())
                .append("&responseTimeout=").append(responseTimeout.toMillis())
                .append("&soTimeout=").append(responseTimeout.toMillis());
        if (username.isPresent() && password.isPresent()) {
            uri.append("&authMethod=Basic&authUsername=RAW(").append(username.get())
                    .append(")&authPassword=RAW(").append(password.get()).append(")");
        }
        return uri.toString();
    }
}
