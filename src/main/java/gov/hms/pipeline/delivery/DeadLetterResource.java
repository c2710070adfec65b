package gov.hms.pipeline.delivery;

import gov.hms.pipeline.ingest.RestErrors;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import gov.hms.pipeline.api.DeploymentResult;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * The dead-letter API. Every answer is JSON; errors are {@code {"status":"failure","error":..}}.
 * <ul>
 * <li>{@code GET /api/dead-letters}: 200, an array of {@link DeadLetter.Summary}, oldest first.</li>
 * <li>{@code GET /api/dead-letters/{id}}: 200 one summary; 404 unknown.</li>
 * <li>{@code POST /api/dead-letters/{id}/retry}: delivers the kept package again, with the same
 * {@code Idempotency-Key}, to the targets that lack it, through the same Camel delivery route and
 * audited as a deployment of its own; answers like {@code POST /api/policies} (200 success, 502
 * still failing, the entry then kept with the new errors); 404 unknown; 409 a retry of it is
 * already running.</li>
 * <li>{@code DELETE /api/dead-letters/{id}}: discards it, audited as {@code dead-letter-discarded};
 * 200 {@code {"status":"success","discarded":id}}; 404 unknown.</li>
 * </ul>
 * A malformed id is 400 and never reaches the file system.
 */
@Path("/api/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
public class DeadLetterResource {

    private final DeadLetterStore store;
    private final ProducerTemplate producer;
    private final SecurityIdentity identity;

    public DeadLetterResource(DeadLetterStore store, ProducerTemplate producer, SecurityIdentity identity) {
        this.store = store;
        this.producer = producer;
        this.identity = identity;
    }

    /** The authenticated operator, for the audit record; {@code anonymous} with security off. */
    private String actor() {
        return identity == null || identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    @GET
    public List<DeadLetter.Summary> list() {
        return store.list().stream().map(DeadLetter::summary).toList();
    }

    @GET
    @Path("/{id}")
    @APIResponse(responseCode = "200", description = "the dead letter",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DeadLetter.Summary.class)))
    @APIResponse(responseCode = "400", description = "not a dead-letter id", ref = "Error")
    @APIResponse(responseCode = "404", description = "no such dead letter", ref = "Error")
    public Response get(@PathParam("id") String id) {
        return lookUp(id).orElseGet(() -> Response.ok(store.find(id).orElseThrow().summary()).build());
    }

    @POST
    @Path("/{id}/retry")
    @APIResponse(responseCode = "200", description = "delivered to the targets that lacked it", ref = "Result")
    @APIResponse(responseCode = "502", description = "a target still did not take it", ref = "Result")
    @APIResponse(responseCode = "503", description = "the audit log cannot be written, or the service is stopping", ref = "Result")
    @APIResponse(responseCode = "400", description = "not a dead-letter id", ref = "Error")
    @APIResponse(responseCode = "404", description = "no such dead letter", ref = "Error")
    @APIResponse(responseCode = "409", description = "a retry or discard of it is running, or a newer revision of the "
            + "policy superseded it (docs/ledger.md)", ref = "Result")
    @APIResponse(responseCode = "500", description = "internal error", ref = "Error")
    public Response retry(@PathParam("id") String id) {
        return whileClaimed(id, entry -> {
            Exchange done = send("direct:dead-letter-retry", entry);
            DeploymentResult result = done.getMessage().getBody(DeploymentResult.class);
            if (result == null) {
                return RestErrors.failure(500, "Internal error; see the service log");
            }
            return Response.status(result.httpStatus()).entity(result).build();
        });
    }

    @DELETE
    @Path("/{id}")
    @APIResponse(responseCode = "200", description = "{\"status\":\"success\",\"discarded\":id}",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT)))
    @APIResponse(responseCode = "400", description = "not a dead-letter id", ref = "Error")
    @APIResponse(responseCode = "404", description = "no such dead letter", ref = "Error")
    @APIResponse(responseCode = "409", description = "a retry or discard of it is running", ref = "Error")
    @APIResponse(responseCode = "500", description = "internal error", ref = "Error")
    public Response discard(@PathParam("id") String id) {
        return whileClaimed(id, entry -> {
            Exchange done = send("direct:dead-letter-discard", entry);
            if (done.getException() != null) {
                return RestErrors.failure(500, "Internal error; see the service log");
            }
            return Response.ok(Map.of("status", "success", "discarded", id)).build();
        });
    }

    /**
     * Runs {@code action} on the entry while no other retry or discard of it can: 400 malformed
     * id, 404 unknown (also when a concurrent retry just settled it), 409 already claimed.
     */
    private Response whileClaimed(String id, Function<DeadLetter, Response> action) {
        Optional<Response> problem = lookUp(id);
        if (problem.isPresent()) {
            return problem.get();
        }
        if (!store.claim(id)) {
            return RestErrors.failure(409, "a retry or discard of dead letter " + id + " is already running");
        }
        try {
            return store.find(id).map(action).orElseGet(() -> RestErrors.failure(404, "no dead letter " + id));
        } finally {
            store.release(id);
        }
    }

    /** Runs a dead-letter route for the entry, on behalf of the API's caller. */
    private Exchange send(String route, DeadLetter entry) {
        return producer.send(route, exchange -> {
            exchange.setProperty(DeadLetterStore.ENTRY_PROPERTY, entry);
            exchange.setProperty(DeadLetterStore.ACTOR_PROPERTY, actor());
        });
    }

    /** 400 for a malformed id, 404 for an unknown one, else empty. */
    private Optional<Response> lookUp(String id) {
        if (!DeadLetterStore.isValidId(id)) {
            return Optional.of(RestErrors.failure(400, "not a dead-letter id (a deployment id, a lower-case UUID)"));
        }
        if (store.find(id).isEmpty()) {
            return Optional.of(RestErrors.failure(404, "no dead letter " + id));
        }
        return Optional.empty();
    }
}
