package gov.hms.pipeline.registry;

import gov.hms.pipeline.ingest.RestErrors;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.packaging.CanonicalJson;
import gov.hms.pipeline.validation.PolicyValidator;
import io.quarkus.logging.Log;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A built-in reference receiver that stands in for live systems, so the default configuration
 * works with nothing else running. Real deployments point {@code pipeline.targets.*} and
 * {@code pipeline.subscribers.*} elsewhere.
 * <ul>
 * <li>{@code POST /registry/packages}: stores the package under
 * {@code <pipeline.registry.dir>/<X-Policy-Id>/<sha256>.<json|zip>} and makes it the live one;
 * a repeated {@code Idempotency-Key} is acknowledged without storing twice; a package whose bytes
 * do not match its {@code X-Package-Sha256} is refused (400).</li>
 * <li>{@code GET /registry/policies/{id}}: the live package, with a strong {@code ETag} (its SHA-256).</li>
 * <li>{@code POST /registry/events}, {@code GET /registry/events}: CloudEvents received, newest last.</li>
 * </ul>
 * The policy id is checked against the contract's pattern before it names a folder.
 */
@Path("/registry")
public class ReferenceRegistry {

    private static final String LIVE = "live";

    private final java.nio.file.Path dir;
    private final int maxEvents;
    private final Deque<JsonNode> events = new ArrayDeque<>();
    private final ObjectMapper mapper = new ObjectMapper();

    public ReferenceRegistry(PipelineConfig config) {
        this.dir = config.registry().dir();
        this.maxEvents = config.registry().maxEvents();
    }

    @POST
    @Path("/packages")
    @APIResponse(responseCode = "201", description = "stored")
    @APIResponse(responseCode = "200", description = "already held")
    @APIResponse(responseCode = "400", description = "no safe X-Policy-Id, empty, or X-Package-Sha256 does not match", ref = "Error")

    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public synchronized Response receivePackage(byte[] body,
            @HeaderParam("X-Policy-Id") String policyId,
            @HeaderParam("Idempotency-Key") String idempotencyKey,
            @HeaderParam("Content-Type") String contentType,
            @HeaderParam("X-Package-Sha256") String packageSha256) throws IOException {
        if (!PolicyValidator.isSafeId(policyId)) {
            return RestErrors.failure(400, "X-Policy-Id is missing or not a safe policy id");
        }
        if (body == null || body.length == 0) {
            return RestErrors.failure(400, "empty package");
        }
        String extension = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/zip")
                ? "zip" : "json";
        String sha256 = CanonicalJson.sha256Hex(body);
        if (packageSha256 != null && !packageSha256.equalsIgnoreCase(sha256)) {
            return RestErrors.failure(400, "X-Package-Sha256 does not match the package received");
        }
        java.nio.file.Path policyDir = dir.resolve(policyId);
        Files.createDirectories(policyDir);
        java.nio.file.Path stored = policyDir.resolve(sha256 + "." + extension);
        boolean replay = Files.exists(stored);
        if (!replay) {
            writeAtomically(stored, body);
        }
        writeAtomically(policyDir.resolve(LIVE), (sha256 + "." + extension).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Log.infof("registry: %s package of policy %s (sha256 %s, key %s)", replay ? "re-received" : "stored",
                policyId, sha256, idempotencyKey);
        return Response.status(replay ? 200 : 201)
                .entity(Map.of("policyId", policyId, "sha256", sha256, "stored", !replay))
                .build();
    }

    @GET
    @Path("/policies/{id}")
    @APIResponse(responseCode = "200", description = "the live package, with ETag",
            content = {@Content(mediaType = "application/json"), @Content(mediaType = "application/zip")})
    @APIResponse(responseCode = "304", description = "If-None-Match names the live package")
    @APIResponse(responseCode = "404", description = "no such policy", ref = "Error")

    public Response livePackage(@PathParam("id") String policyId,
            @HeaderParam("If-None-Match") String ifNoneMatch) throws IOException {
        if (!PolicyValidator.isSafeId(policyId)) {
            return RestErrors.failure(404, "no such policy");
        }
        java.nio.file.Path live = dir.resolve(policyId).resolve(LIVE);
        if (!Files.exists(live)) {
            return RestErrors.failure(404, "no such policy");
        }
        String name = Files.readString(live).trim();
        java.nio.file.Path stored = dir.resolve(policyId).resolve(name);
        String etag = "\"" + name.substring(0, name.indexOf('.')) + "\"";
        if (etag.equals(ifNoneMatch)) {
            return Response.notModified().header("ETag", etag).build();
        }
        String type = name.endsWith(".zip") ? "application/zip" : MediaType.APPLICATION_JSON;
        return Response.ok(Files.readAllBytes(stored), type).header("ETag", etag).build();
    }

    @POST
    @Path("/events")
    @APIResponse(responseCode = "202", description = "{\"received\":id}",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT)))
    @APIResponse(responseCode = "400", description = "not a JSON CloudEvent", ref = "Error")

    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receiveEvent(byte[] body) {
        JsonNode event;
        try {
            event = mapper.readTree(body);
        } catch (IOException e) {
            return RestErrors.failure(400, "not a JSON CloudEvent");
        }
        if (event == null || !event.isObject() || !event.hasNonNull("specversion")) {
            return RestErrors.failure(400, "not a JSON CloudEvent");
        }
        synchronized (events) {
            events.addLast(event);
            while (events.size() > maxEvents) {
                events.removeFirst();
            }
        }
        return Response.accepted(Map.of("received", event.path("id").asText())).build();
    }

    @GET
    @Path("/events")
    @Produces(MediaType.APPLICATION_JSON)
    public List<JsonNode> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    private static void writeAtomically(java.nio.file.Path target, byte[] bytes) throws IOException {
        java.nio.file.Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(temporary, bytes);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
