package gov.hms.pipeline.audit;

import gov.hms.pipeline.ingest.RestErrors;
import io.quarkus.security.identity.SecurityIdentity;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The audit log over HTTP (docs/audit.md):
 * <ul>
 * <li>{@code GET /api/audit?policyId=&deploymentId=&step=&from=&to=&instance=&limit=&cursor=}: matching records
 * in log order (with a shared audit folder, of every instance's chain, by time: {@link AuditQuery#runAcross}),
 * {@code {"records":[…],"count":n,"nextCursor":"…"}}; {@code from}/{@code to} are RFC 3339
 * times ({@code from} inclusive, {@code to} exclusive), {@code limit} 1..1000 (default 100), and
 * {@code nextCursor}, present while more records match, is passed back as {@code cursor}.
 * A bad parameter is a JSON 400.</li>
 * <li>{@code GET /api/audit/verify}: walks every chain and its checkpoints, {@link AuditVerification}; the
 * console shows the last such result ({@link AuditChainStatus}).</li>
 * </ul>
 */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private static final int DEFAULT_LIMIT = 100;

    private final AuditLog log;
    private final AuditChainStatus chainStatus;
    private final SecurityIdentity identity;

    public AuditResource(AuditLog log, AuditChainStatus chainStatus, SecurityIdentity identity) {
        this.log = log;
        this.chainStatus = chainStatus;
        this.identity = identity;
    }

    @GET
    @APIResponse(responseCode = "200", description = "{records, count, nextCursor}",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT)))
    @APIResponse(responseCode = "400", description = "a malformed from, to, limit or cursor", ref = "Error")
    public Response query(@QueryParam("policyId") String policyId, @QueryParam("deploymentId") String deploymentId,
            @QueryParam("step") String step, @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("instance") String instance, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        AuditQuery.Filter filter;
        int pageSize;
        try {
            filter = new AuditQuery.Filter(blankToNull(policyId), blankToNull(deploymentId), blankToNull(step),
                    time("from", from), time("to", to), blankToNull(instance));
            pageSize = limit(limit);
        } catch (IllegalArgumentException e) {
            return RestErrors.failure(400, e.getMessage());
        }
        AuditQuery.Page page;
        try {
            page = log.query(filter, pageSize, blankToNull(cursor));
        } catch (IllegalArgumentException e) {
            return RestErrors.failure(400, e.getMessage());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("records", page.records());
        body.put("count", page.records().size());
        if (page.nextCursor() != null) {
            body.put("nextCursor", page.nextCursor());
        }
        return Response.ok(body).build();
    }

    @GET
    @Path("/verify")
    public AuditVerification verify() {
        return chainStatus.verify(identity == null || identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName());
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static Instant time(String name, String value) {
        if (blankToNull(value) == null) {
            return null;
        }
        return gov.hms.pipeline.validation.Rfc3339.instant(value.trim()).orElseThrow(() -> new IllegalArgumentException(
                "'" + name + "' must be an RFC 3339 date or date-time such as 2026-11-29T09:00:00Z"));
    }

    private static int limit(String value) {
        if (blankToNull(value) == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit >= 1 && limit <= AuditQuery.MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("'limit' must be a whole number from 1 to " + AuditQuery.MAX_LIMIT);
    }
}
