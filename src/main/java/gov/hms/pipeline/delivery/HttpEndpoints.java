package gov.hms.pipeline.delivery;

import java.time.Duration;
import java.util.Optional;

/**
 * camel-http endpoint URIs for outbound POSTs to targets and subscribers, and the HTTP Basic
 * credentials of a request that carries them itself.
 */
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
     * @return an endpoint that always POSTs, reads at most an excerpt of an answer's body
     *         ({@link OutboundHttpClient}) and raises non-2xx answers as
     *         {@code HttpOperationFailedException}, so the error handler decides on redelivery
     */
    public static String post(String url, Duration connectTimeout, Duration responseTimeout,
                              Optional<String> username, Optional<String> password) {
        // Per-system timeouts in milliseconds override the component-wide defaults: a system that
        // accepts the connection and stays silent fails after its response timeout.
        StringBuilder uri = new StringBuilder(url).append(url.contains("?") ? "&" : "?")
                .append("httpMethod=POST&throwExceptionOnFailure=true")
                .append("&connectTimeout=").append(millis(connectTimeout))
                .append("&responseTimeout=").append(millis(responseTimeout))
                .append("&soTimeout=").append(millis(responseTimeout));
        if (username.isPresent() && password.isPresent()) {
            uri.append("&authMethod=Basic&authUsername=RAW(").append(username.get())
                    .append(")&authPassword=RAW(").append(password.get()).append(")");
        }
        return uri.toString();
    }

    /** The host of {@link #sharedPost}'s endpoints: never contacted, every request names its URL. */
    static final String SHARED_HOST = "targets.invalid";

    /**
     * One endpoint for every target with these timeouts, however many targets there are: each request
     * carries its own URL in {@code CamelHttpUri} ({@code Exchange.HTTP_URI}, which camel-http uses in
     * place of the endpoint's) and its credentials in an {@code Authorization} header. So a thousand
     * targets make a handful of endpoints and connection pools, not a thousand that overflow Camel's
     * endpoint cache (LRU, 1000 by default) and are stopped and rebuilt, pool and all, as it churns.
     * The host ({@value #SHARED_HOST}, a reserved name, RFC 2606) is never contacted.
     *
     * @param connectTimeout  time allowed to open the connection
     * @param responseTimeout time allowed for the answer once the request is sent
     * @return an endpoint that always POSTs and raises non-2xx answers as {@code HttpOperationFailedException}
     */
    public static String sharedPost(Duration connectTimeout, Duration responseTimeout) {
        return "http://" + SHARED_HOST + "/?httpMethod=POST&throwExceptionOnFailure=true"
                + "&connectTimeout=" + millis(connectTimeout)
                + "&responseTimeout=" + millis(responseTimeout)
                + "&soTimeout=" + millis(responseTimeout);
    }

    /** At least 1: camel-http takes 0 as no timeout at all, which a configured {@code PT0.0001S} would become. */
    static long millis(Duration timeout) {
        return Math.max(1, timeout.toMillis());
    }

    /**
     * @return the {@code Authorization} header value of HTTP Basic (RFC 7617 section 2, user-id and
     *         password joined by a colon, UTF-8, base64), or {@code null} without both
     */
    public static String basicAuthorization(Optional<String> username, Optional<String> password) {
        if (username.isEmpty() || password.isEmpty()) {
            return null;
        }
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                (username.get() + ":" + password.get()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
