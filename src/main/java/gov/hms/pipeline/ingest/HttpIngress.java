package gov.hms.pipeline.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.api.Source;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.io.UncheckedIOException;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;

/**
 * The HTTP side of {@code POST /api/policies}: describes the caller before every inbound header
 * is dropped, and writes the deployment's result as the JSON answer with its status code.
 */
@ApplicationScoped
@Named("httpIngress")
public class HttpIngress {

    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * Sets the {@value Deployment#PROPERTY} property from the request: its declared
     * {@code Content-Type} and the client address (set by platform-http itself; inbound
     * {@code Camel*} headers are filtered out before that).
     */
    public void admit(Exchange exchange) {
        var message = exchange.getMessage();
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, String.class);
        Object remote = message.getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS);
        String origin = remote == null ? "http client" : "http client " + remote;
        // An absent Content-Type is "not JSON" as far as this endpoint is concerned.
        exchange.setProperty(Deployment.PROPERTY,
                new Deployment(Source.HTTP, "anonymous", origin, contentType == null ? "" : contentType));
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
    }

    /**
     * The answer when something outside the deploy route failed: a JSON 500 that names no internals
     * (the exception goes to the log only).
     */
    public void internalError(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        io.quarkus.logging.Log.errorf(cause, "POST /api/policies failed outside the deploy route");
        exchange.getMessage().setBody(new DeploymentResult(DeploymentResult.FAILURE,
                "Internal error; see the service log", null, null, null, null, null, null, null, 500));
        answer(exchange);
    }
}
