package gov.hms.pipeline.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.api.Source;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import gov.hms.pipeline.validation.PolicyRejectedException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;

/**
 * The HTTP side of {@code POST /api/policies}: describes the caller before every inbound header
 * is dropped, and writes the deployment's result as the JSON answer with its status code.
 */
@ApplicationScoped
@Named("httpIngress")
public class HttpIngress {

    /** Request header carrying a detached JWS over the policy's canonical JSON (RFC 7515 appendix F). */
    public static final String SIGNATURE_HEADER = "X-Policy-Signature";

    /** {@code Retry-After} of a 503, in seconds. */
    static final String RETRY_AFTER_SECONDS = "30";

    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * Sets the {@value Deployment#PROPERTY} property from the request: its declared
     * {@code Content-Type} and the client address (set by platform-http itself; inbound
     * {@code Camel*} headers are filtered out before that).
     */
    public void admit(Exchange exchange) {
        describeCaller(exchange, false);
    }

    /** As {@link #admit(Exchange)} for {@code /api/policies/validate}, which never delivers. */
    public void admitDryRun(Exchange exchange) {
        describeCaller(exchange, true);
    }

    /**
     * Also reads the only request values that may shape a deployment, by name from an allow-list: the
     * {@value #SIGNATURE_HEADER} header, the {@code dryRun} query parameter ({@code true} for a dry run;
     * see {@link #booleanQueryParameter}) and the {@code targets} query parameter ({@link #targetGroup}).
     */
    private void describeCaller(Exchange exchange, boolean forceDryRun) {
        var message = exchange.getMessage();
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, String.class);
        Object remote = message.getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS);
        String origin = remote == null ? "http client" : "http client " + remote;
        boolean dryRun = booleanQueryParameter(exchange, "dryRun") || forceDryRun;
        // An absent Content-Type is "not JSON" as far as this endpoint is concerned.
        Deployment deployment = new Deployment(Source.HTTP, principalName(message), origin,
                contentType == null ? "" : contentType)
                .signature(message.getHeader(SIGNATURE_HEADER, String.class))
                .dryRun(dryRun)
                .respondAsync(!dryRun && Preferences.respondAsync(Preferences.joined(message.getHeader(Preferences.PREFER))))
                .targetGroup(targetGroup(exchange));
        exchange.setProperty(Deployment.PROPERTY, deployment);
        if (message.getBody() instanceof java.util.Map) {
            // Vert.x parsed a form (application/x-www-form-urlencoded) into a Map. A form is never a
            // policy and its fields are not read: an empty body lets the media-type check answer 415.
            message.setBody(new byte[0]);
        }
    }

    /** The authenticated user's name (Quarkus security sets the Vert.x user), else {@code anonymous}. */
    private static String principalName(org.apache.camel.Message message) {
        Object user = message.getHeader(VertxPlatformHttpConstants.AUTHENTICATED_USER);
        if (user instanceof io.vertx.ext.auth.User vertxUser && vertxUser.principal() != null) {
            String name = vertxUser.principal().getString("username");
            if (name != null && !name.isBlank()) {
                return name;
            }
        }
        return "anonymous";
    }

    /**
     * A boolean query flag, strictly: absent is {@code false}; exactly {@code true} or {@code false}
     * (the OpenAPI boolean, JSON's literals) once; anything else ({@code 1}, {@code yes}, {@code TRUE},
     * empty, given twice) is refused, since a flag misread as false would deploy for real.
     *
     * @throws PolicyRejectedException 400 naming the parameter and the value sent
     */
    static boolean booleanQueryParameter(Exchange exchange, String name) {
        List<String> values = queryParameter(exchange, name);
        if (values.isEmpty()) {
            return false;
        }
        if (values.size() == 1 && (values.get(0).equals("true") || values.get(0).equals("false"))) {
            return values.get(0).equals("true");
        }
        String sent = values.size() == 1 ? "'" + values.get(0) + "'" : values.size() + " values";
        throw new PolicyRejectedException(400, "Query parameter " + name + " must be true or false, not " + sent);
    }

    /**
     * The {@code targets} query parameter: absent is every enabled target; {@code group:<label>} the
     * enabled targets labelled so ({@link gov.hms.pipeline.delivery.TargetDelivery#GROUP}).
     *
     * @throws PolicyRejectedException 400 for anything else, or the parameter given twice
     */
    static String targetGroup(Exchange exchange) {
        List<String> values = queryParameter(exchange, "targets");
        if (values.isEmpty()) {
            return null;
        }
        String value = values.get(0);
        if (values.size() == 1 && value.startsWith("group:")
                && gov.hms.pipeline.delivery.TargetDelivery.GROUP.matcher(value.substring(6)).matches()) {
            return value.substring(6);
        }
        throw new PolicyRejectedException(400, "Query parameter targets must be group:<label> (letters, digits, "
                + "'.', '_' or '-', at most 64), given once");
    }

    /** Every value of one query parameter, from the raw query string (RFC 3986), never from a Camel header. */
    private static List<String> queryParameter(Exchange exchange, String name) {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        if (query == null) {
            query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        }
        List<String> values = new ArrayList<>();
        if (query == null || query.isEmpty()) {
            return values;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                values.add(equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    /** Replaces everything on the message with the JSON answer, its status code and media type. */
    public void answer(Exchange exchange) {
        DeploymentResult result = exchange.getMessage().getBody(DeploymentResult.class);
        var message = exchange.getMessage();
        message.getHeaders().clear();
        try {
            message.setBody(mapper.writeValueAsBytes(result));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, result.httpStatus());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (result.httpStatus() == 202) {
            // Where to follow it (RFC 9110 section 10.2.2); an asynchronous answer says it honoured the preference.
            message.setHeader("Location", "/api/deployments/" + result.deploymentId());
            Deployment deployment = exchange.getProperty(Deployment.PROPERTY, Deployment.class);
            if (deployment != null && deployment.respondAsync()) {
                message.setHeader(Preferences.PREFERENCE_APPLIED, Preferences.RESPOND_ASYNC);
            }
        }
        if (result.httpStatus() == 503) {
            // Unavailable for now (the audit log, shutdown): RFC 9110 section 10.2.3.
            message.setHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
    }

    /** The answer to a request refused before it became a deployment (a malformed query flag): its status, JSON. */
    public void refused(Exchange exchange) {
        PolicyRejectedException cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, PolicyRejectedException.class);
        exchange.getMessage().setBody(DeploymentResult.failure(cause.httpStatus(), cause.getMessage()));
        answer(exchange);
    }

    /**
     * The answer when something outside the deploy route failed: a JSON 500 that names no internals
     * (the exception goes to the log only).
     */
    public void internalError(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        io.quarkus.logging.Log.errorf(cause, "POST /api/policies failed outside the deploy route");
        exchange.getMessage().setBody(DeploymentResult.failure(500, "Internal error; see the service log"));
        answer(exchange);
    }
}
