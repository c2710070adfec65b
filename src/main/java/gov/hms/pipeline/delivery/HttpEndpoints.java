package gov.hms.pipeline.delivery;

import java.util.Optional;

/** camel-http endpoint URIs for outbound POSTs to targets and subscribers. */
public final class HttpEndpoints {

    private HttpEndpoints() {
    }

    /**
     * @param url      the system's absolute http(s) URL, possibly with its own query
     * @param username HTTP Basic user, if the system wants one
     * @param password HTTP Basic password; passed {@code RAW(...)} so no character is re-encoded,
     *                 and masked by Camel wherever it logs endpoint URIs
     * @return an endpoint that always POSTs and raises non-2xx answers as
     *         {@code HttpOperationFailedException}, so the error handler decides on redelivery
     */
    public static String post(String url, Optional<String> username, Optional<String> password) {
        StringBuilder uri = new StringBuilder(url).append(url.contains("?") ? "&" : "?")
                .append("httpMethod=POST&throwExceptionOnFailure=true");
        if (username.isPresent() && password.isPresent()) {
            uri.append("&authMethod=Basic&authUsername=RAW(").append(username.get())
                    .append(")&authPassword=RAW(").append(password.get()).append(")");
        }
        return uri.toString();
    }
}
