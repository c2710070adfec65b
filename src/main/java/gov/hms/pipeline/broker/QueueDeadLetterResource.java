package gov.hms.pipeline.broker;

import gov.hms.pipeline.api.Deployment;
import gov.hms.pipeline.ingest.RestErrors;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * The input queue's dead letters over HTTP (operator; {@link QueueDeadLetters}). Every answer is
 * JSON; errors are {@code {"status":"failure","error":..}}.
 * <ul>
 * <li>{@code GET /api/queue-dead-letters}: 200, {@code {"queue":name,"items":[Message…]}} oldest first.</li>
 * <li>{@code POST /api/queue-dead-letters/{messageId}/retry}: moves it back to the input queue, where it is
 * deployed again as any message; audited ({@code dead-letter-requeued}); 200
 * {@code {"status":"success","requeued":messageId,"deploymentId":..}}.</li>
 * <li>{@code DELETE /api/queue-dead-letters/{messageId}}: discards it; audited ({@code dead-letter-discarded});
 * 200 {@code {"status":"success","discarded":messageId,"deploymentId":..}}.</li>
 * </ul>
 * 400 a malformed id, 404 no such message, 501 the broker is external (use its own tools).
 */
@Path("/api/queue-dead-letters")
@Produces(MediaType.APPLICATION_JSON)
public class QueueDeadLetterResource {

    private final QueueDeadLetters deadLetters;
    private final ProducerTemplate producer;
    private final SecurityIdentity identity;

    public QueueDeadLetterResource(QueueDeadLetters deadLetters, ProducerTemplate producer, SecurityIdentity identity) {
        this.deadLetters = deadLetters;
        this.producer = producer;
        this.identity = identity;
    }

    @GET
    public Response list() {
        if (!deadLetters.available()) {
            return external();
        }
        return Response.ok(Map.of("queue", deadLetters.queueName(), "items", deadLetters.list())).build();
    }

    @POST
    @Path("/{messageId}/retry")
    public Response retry(@PathParam("messageId") String messageId) {
        return act(messageId, "direct:queue-dead-letter-requeue", "requeued");
    }

    @DELETE
    @Path("/{messageId}")
    public Response discard(@PathParam("messageId") String messageId) {
        return act(messageId, "direct:queue-dead-letter-discard", "discarded");
    }

    private Response act(String messageId, String route, String done) {
        if (!deadLetters.available()) {
            return external();
        }
        if (messageId == null || !messageId.matches("[0-9]{1,18}")) {
            return RestErrors.failure(400, "not a message id (the broker's, a number)");
        }
        Optional<QueueDeadLetters.Message> message = deadLetters.find(Long.parseLong(messageId));
        if (message.isEmpty()) {
            return RestErrors.failure(404, "no message " + messageId + " on " + deadLetters.queueName());
        }
        Exchange exchange = producer.send(route, e -> {
            e.setProperty(QueueDeadLetters.MESSAGE_PROPERTY, message.get());
            e.setProperty(QueueDeadLetters.ACTOR_PROPERTY,
                    identity == null || identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName());
        });
        if (exchange.getException() != null) {
            // Gone meanwhile (another operator was quicker): 404, as if asked a moment later.
            return deadLetters.find(message.get().messageId()).isEmpty()
                    ? RestErrors.failure(404, "no message " + messageId + " on " + deadLetters.queueName())
                    : RestErrors.failure(500, "Internal error; see the service log");
        }
        String deploymentId = exchange.getProperty(Deployment.PROPERTY, Deployment.class).id();
        return Response.ok(Map.of("status", "success", done, message.get().messageId(), "deploymentId", deploymentId)).build();
    }

    private Response external() {
        return RestErrors.failure(501, "the queue's dead letters are on an external broker: use its own tools");
    }
}
