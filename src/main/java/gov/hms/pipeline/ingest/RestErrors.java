package gov.hms.pipeline.ingest;

import io.quarkus.logging.Log;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The contract's JSON error body (`{"status":"failure","error":…}`) for every REST endpoint's
 * failure that would otherwise leave with an empty body: a framework answer without an entity
 * (405 with its {@code Allow}, 404, 406, 415) keeps its status and headers; anything unexpected
 * is a 500 that names no internals (the exception goes to the log).
 */
public class RestErrors {

    @ServerExceptionMapper
    public Response framework(WebApplicationException exception) {
        Response original = exception.getResponse();
        if (original.hasEntity()) {
            return original;
        }
        Response withHeaders = Response.fromResponse(original).type(MediaType.APPLICATION_JSON_TYPE).build();
        return Response.fromResponse(withHeaders).entity(body(reason(withHeaders))).build();
    }

    /** Anything else, checked exceptions included (a ledger resource's {@code SQLException}). */
    @ServerExceptionMapper
    public Response unexpected(Exception exception) {
        Log.errorf(exception, "REST request failed");
        return failure(500, "Internal error; see the service log");
    }

    /**
     * The contract's failure answer, for a resource that refuses a request itself.
     *
     * @param status an HTTP status, 4xx or 5xx
     * @param error  for a person; never internals or secrets
     * @return {@code status} with {@code {"status":"failure","error":error}} as {@code application/json}
     */
    public static Response failure(int status, String error) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body(error)).build();
    }

    private static String reason(Response response) {
        Response.StatusType status = response.getStatusInfo();
        return status.getStatusCode() == 405 ? "Method not allowed here" + allowed(response)
                : status.getReasonPhrase() == null ? "HTTP " + status.getStatusCode() : status.getReasonPhrase();
    }

    private static String allowed(Response response) {
        String allow = response.getHeaderString("Allow");
        return allow == null || allow.isBlank() ? "" : "; use " + allow;
    }

    private static Map<String, String> body(String error) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("status", "failure");
        body.put("error", error);
        return body;
    }
}
