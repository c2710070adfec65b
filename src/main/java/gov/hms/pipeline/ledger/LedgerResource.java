package gov.hms.pipeline.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.delivery.TargetDelivery;
import gov.hms.pipeline.ingest.RequestJson;
import gov.hms.pipeline.ingest.RestErrors;
import gov.hms.pipeline.ledger.DeploymentLedger.DeploymentFilter;
import gov.hms.pipeline.ledger.LedgerRecords.DeploymentRecord;
import gov.hms.pipeline.packaging.PolicyPackage;
import gov.hms.pipeline.validation.EcmaScriptWhiteSpace;
import gov.hms.pipeline.validation.PolicyValidator;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The deployment ledger over HTTP (docs/ledger.md, CONTRACT.md "Deployment ledger"). Readers read,
 * operators act ({@link LedgerRoles}). Every answer is JSON (the package download excepted); errors are
 * {@code {"status":"failure","error":..}}: 400 a malformed parameter, 403 an action without the
 * operator role, 404 an unknown policy, version or deployment.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Deployment ledger", description = "What is live where (docs/ledger.md)")
public class LedgerResource {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    private static final Set<String> STATUSES = Set.of(LedgerSteps.DELIVERING, LedgerSteps.COMPLETED,
            LedgerSteps.UNCHANGED, LedgerSteps.FAILED, LedgerInterruptions.INTERRUPTED);
    private static final Set<String> SOURCES = java.util.Arrays.stream(gov.hms.pipeline.api.Source.values())
            .map(gov.hms.pipeline.api.Source::label).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    private static final Pattern DEPLOYMENT_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final PolicyCatalogue catalogue;
    private final DeploymentLedger ledger;
    private final Redeployments redeployments;
    private final SecurityIdentity identity;
    private final DeploymentRequests requests;
    private final ScheduledActivations activations;
    private final gov.hms.pipeline.config.SchedulingConfig scheduling;
    private final Withdrawals withdrawals;

    public LedgerResource(PolicyCatalogue catalogue, DeploymentLedger ledger, Redeployments redeployments,
            SecurityIdentity identity, DeploymentRequests requests, ScheduledActivations activations,
            gov.hms.pipeline.config.SchedulingConfig scheduling, Withdrawals withdrawals) {
        this.withdrawals = withdrawals;
        this.catalogue = catalogue;
        this.ledger = ledger;
        this.redeployments = redeployments;
        this.identity = identity;
        this.requests = requests;
        this.activations = activations;
        this.scheduling = scheduling;
    }

    /** The body of a rollback or sync request. */
    public record RedeployRequest(String toVersion, Integer toRevision, String reason) {
    }

    @Operation(summary = "The catalogue: every policy's live state, paged by policy id")
    @APIResponse(responseCode = "200", description = "a page of policies", content = @Content(schema = @Schema(implementation = LedgerRecords.PolicyPage.class)))
    @APIResponse(responseCode = "400", description = "malformed limit or cursor", ref = "Error")
    @GET
    @Path("/policies")
    public Response policies(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) throws SQLException {
        Optional<Integer> pageSize = limit(limit);
        if (pageSize.isEmpty()) {
            return RestErrors.failure(400, "limit must be an integer from 1 to " + MAX_LIMIT);
        }
        if (cursor != null && !PolicyValidator.isSafeId(cursor)) {
            return RestErrors.failure(400, "not a cursor of this listing");
        }
        return Response.ok(catalogue.page(cursor, pageSize.get())).build();
    }

    @Operation(summary = "One policy's live state: its revision, version and, per target, what it has and whether it is in sync")
    @APIResponse(responseCode = "200", description = "the policy", content = @Content(schema = @Schema(implementation = LedgerRecords.PolicyStatus.class)))
    @APIResponse(responseCode = "404", description = "unknown policy", ref = "Error")
    @GET
    @Path("/policies/{id}")
    public Response policy(@PathParam("id") String id) throws SQLException {
        Optional<LedgerRecords.PolicyStatus> live = PolicyValidator.isSafeId(id) ? catalogue.live(id) : Optional.empty();
        return live.map(status -> Response.ok(status).build()).orElseGet(() -> RestErrors.failure(404, "no policy " + id + " in the ledger"));
    }

    @Operation(summary = "Withdraw a live policy from every target with a signed tombstone package (operator; docs/scheduling.md)")
    @APIResponse(responseCode = "200", description = "the withdrawal's deployment result", ref = "Result")
    @APIResponse(responseCode = "400", description = "no reason, or a body that is not {\"reason\": \"...\"}", ref = "Error")
    @APIResponse(responseCode = "404", description = "unknown policy", ref = "Result")
    @APIResponse(responseCode = "409", description = "withdrawn already, or another deployment of the policy is in progress", ref = "Result")
    @APIResponse(responseCode = "502", description = "a target did not take the tombstone", ref = "Result")
    @APIResponse(responseCode = "503", description = "the audit log cannot be written, or the service is stopping", ref = "Result")
    @DELETE
    @Path("/policies/{id}")
    @Consumes(MediaType.WILDCARD)
    public Response withdraw(@PathParam("id") String id, @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = CancelRequest.class))) String body) throws SQLException {
        Optional<CancelRequest> request = reason(body);
        if (request.isEmpty() || request.get().reason() == null || EcmaScriptWhiteSpace.isBlank(request.get().reason())) {
            return RestErrors.failure(400, "give a reason (it is audited and in the tombstone): {\"reason\": \"...\"}");
        }
        if (!PolicyValidator.isSafeId(id)) {
            return RestErrors.failure(404, "no policy " + id + " in the ledger");
        }
        return answer(withdrawals.withdraw(id, request.get().reason(), actor()));
    }

    @Operation(summary = "A policy's revisions, newest first")
    @APIResponse(responseCode = "200", description = "the revisions", content = @Content(schema = @Schema(implementation = LedgerRecords.VersionList.class)))
    @APIResponse(responseCode = "404", description = "unknown policy", ref = "Error")
    @GET
    @Path("/policies/{id}/versions")
    public Response versions(@PathParam("id") String id) throws SQLException {
        Optional<Response> unknown = knownPolicy(id);
        if (unknown.isPresent()) {
            return unknown.get();
        }
        return Response.ok(new LedgerRecords.VersionList(catalogue.versions(id))).build();
    }

    /** The archived package, byte for byte; {@code format} {@code json} (default) or {@code zip}. */
    @Operation(summary = "The archived package of a version, byte for byte what targets received (X-Package-Sha256)")
    @APIResponse(responseCode = "200", description = "the package (application/json or application/zip)")
    @APIResponse(responseCode = "404", description = "unknown policy, version or format", ref = "Error")
    @GET
    @Path("/policies/{id}/versions/{version}/package")
    @Produces({MediaType.APPLICATION_JSON, "application/zip"})
    public Response versionPackage(@PathParam("id") String id, @PathParam("version") String version,
            @QueryParam("format") String format) throws SQLException {
        Optional<Response> unknown = knownPolicy(id);
        if (unknown.isPresent()) {
            return unknown.get();
        }
        String wanted = format == null ? PolicyPackage.JSON : format;
        if (!PolicyPackage.JSON.equals(wanted) && !PolicyPackage.ZIP.equals(wanted)) {
            return RestErrors.failure(400, "format must be json or zip");
        }
        Optional<Integer> revision = ledger.resolveRevision(id, version);
        if (revision.isEmpty()) {
            return RestErrors.failure(404, "policy " + id + " has no version or revision " + version);
        }
        Optional<PolicyPackage> found = ledger.packages(id, revision.get()).stream()
                .filter(p -> p.format().equals(wanted)).findFirst();
        if (found.isEmpty()) {
            return RestErrors.failure(404, "revision " + revision.get() + " of policy " + id + " has no " + wanted + " package");
        }
        return Response.ok(found.get().bytes(), found.get().contentType())
                .header(TargetDelivery.PACKAGE_SHA256, found.get().sha256()).build();
    }

    @Operation(summary = "RFC 6902 JSON Patch from one version of the policy to another")
    @APIResponse(responseCode = "200", description = "the JSON Patch")
    @APIResponse(responseCode = "400", description = "from or to missing", ref = "Error")
    @APIResponse(responseCode = "404", description = "unknown policy or version", ref = "Error")
    @GET
    @Path("/policies/{id}/diff")
    public Response diff(@PathParam("id") String id, @QueryParam("from") String from, @QueryParam("to") String to)
            throws SQLException {
        Optional<Response> unknown = knownPolicy(id);
        if (unknown.isPresent()) {
            return unknown.get();
        }
        if (from == null || to == null) {
            return RestErrors.failure(400, "give both from and to (a version label or a revision number)");
        }
        Optional<JsonNode> patch = catalogue.diff(id, from, to);
        return patch.map(p -> Response.ok(p).build())
                .orElseGet(() -> RestErrors.failure(404, "policy " + id + " has no version or revision " + from + " or " + to));
    }

    @Operation(summary = "Make an archived version live again as a new deployment (operator)")
    @APIResponse(responseCode = "200", description = "the deployment's result", ref = "Result")
    @APIResponse(responseCode = "400", description = "no reason, or not exactly one of toVersion and toRevision", ref = "Error")
    @APIResponse(responseCode = "404", description = "unknown policy or version", ref = "Result")
    @APIResponse(responseCode = "409", description = "refused as things stand", ref = "Result")
    @APIResponse(responseCode = "502", description = "a target did not take it", ref = "Result")
    @APIResponse(responseCode = "503", description = "the audit log cannot be written, or the service is stopping", ref = "Result")
    @POST
    @Path("/policies/{id}/rollback")
    @Consumes(MediaType.WILDCARD)
    public Response rollbackRequest(@PathParam("id") String id, @RequestBody(content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RedeployRequest.class))) String body)
            throws SQLException {
        Optional<RedeployRequest> parsed = parse(body);
        if (parsed.isEmpty()) {
            return RestErrors.failure(400, "the body must be a JSON object: {\"toVersion\": \"1.0.0\" or \"toRevision\": 1, \"reason\": \"...\"}");
        }
        return rollback(id, parsed.get());
    }

    /** A rollback as the API's caller (also the console's way in, so both are one code path). */
    public Response rollback(String id, RedeployRequest request) throws SQLException {
        if (!PolicyValidator.isSafeId(id)) {
            return RestErrors.failure(404, "no policy " + id + " in the ledger");
        }
        if ((request.toVersion() == null) == (request.toRevision() == null)) {
            return RestErrors.failure(400, "give exactly one of toVersion and toRevision");
        }
        if (request.reason() == null || EcmaScriptWhiteSpace.isBlank(request.reason())) {
            return RestErrors.failure(400, "give a reason (it is audited)");
        }
        String target = request.toVersion() != null ? request.toVersion() : Integer.toString(request.toRevision());
        return answer(redeployments.rollback(id, target, request.reason(), actor()));
    }

    @Operation(summary = "Re-deliver the live version to every target not in sync, as a new deployment (operator)")
    @APIResponse(responseCode = "200", description = "the deployment's result", ref = "Result")
    @APIResponse(responseCode = "404", description = "unknown policy", ref = "Result")
    @APIResponse(responseCode = "502", description = "a target did not take it", ref = "Result")
    @APIResponse(responseCode = "503", description = "the audit log cannot be written, or the service is stopping", ref = "Result")
    @POST
    @Path("/policies/{id}/sync")
    @Consumes(MediaType.WILDCARD)
    public Response syncRequest(@PathParam("id") String id, @RequestBody(required = false, content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RedeployRequest.class))) String body)
            throws SQLException {
        Optional<RedeployRequest> parsed = parse(body);
        if (parsed.isEmpty()) {
            return RestErrors.failure(400, "the body must be empty or a JSON object: {\"reason\": \"...\"}");
        }
        return sync(id, parsed.get());
    }

    /** A sync as the API's caller (also the console's way in). */
    public Response sync(String id, RedeployRequest request) throws SQLException {
        if (!PolicyValidator.isSafeId(id)) {
            return RestErrors.failure(404, "no policy " + id + " in the ledger");
        }
        return answer(redeployments.sync(id, request.reason(), actor()));
    }

    @Operation(summary = "Deployments newest first, with their per-target outcomes, filtered and paged; status received, "
            + "scheduled, activating, cancelled or superseded lists those known only by their request, with their schedule")
    @APIResponse(responseCode = "200", description = "a page of deployments (LedgerRecords.RequestPage for a request status)",
            content = @Content(schema = @Schema(anyOf = {LedgerRecords.DeploymentPage.class, LedgerRecords.RequestPage.class})))
    @APIResponse(responseCode = "400", description = "malformed filter, limit or cursor", ref = "Error")
    @GET
    @Path("/deployments")
    public Response deployments(@QueryParam("policyId") String policyId, @QueryParam("status") String status,
            @QueryParam("source") String source, @QueryParam("since") String since, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) throws SQLException {
        Optional<Integer> pageSize = limit(limit);
        if (pageSize.isEmpty()) {
            return RestErrors.failure(400, "limit must be an integer from 1 to " + MAX_LIMIT);
        }
        if (status != null && !STATUSES.contains(status) && !DeploymentRequests.LISTED_STATUSES.contains(status)) {
            return RestErrors.failure(400, "status must be one of " + new java.util.TreeSet<>(STATUSES) + " or "
                    + new java.util.TreeSet<>(DeploymentRequests.LISTED_STATUSES));
        }
        if (source != null && !SOURCES.contains(source)) {
            return RestErrors.failure(400, "source must be one of " + SOURCES);
        }
        Instant sinceTime = null;
        if (since != null) {
            try {
                sinceTime = Instant.parse(since);
            } catch (DateTimeParseException e) {
                return RestErrors.failure(400, "since must be an RFC 3339 date-time in UTC, e.g. 2026-12-01T00:00:00Z");
            }
        }
        if (status != null && DeploymentRequests.LISTED_STATUSES.contains(status)) {
            return requestPage(new DeploymentFilter(policyId, status, source, sinceTime), cursor, pageSize.get());
        }
        Instant beforeStart = null;
        if (cursor != null) {
            Optional<Instant> start = DEPLOYMENT_ID.matcher(cursor).matches() ? ledger.startOf(cursor) : Optional.empty();
            if (start.isEmpty()) {
                return RestErrors.failure(400, "not a cursor of this listing");
            }
            beforeStart = start.get();
        }
        List<DeploymentRecord> items = ledger.deployments(new DeploymentFilter(policyId, status, source, sinceTime),
                beforeStart, cursor, pageSize.get() + 1);
        boolean more = items.size() > pageSize.get();
        List<DeploymentRecord> page = items.subList(0, Math.min(pageSize.get(), items.size())).stream()
                .map(DeploymentRecord::counted).map(d -> listedDeliveries(d, null)).toList();
        return Response.ok(new LedgerRecords.DeploymentPage(page, more ? page.get(page.size() - 1).deploymentId() : null)).build();
    }

    /** Deployments known only by their request (scheduled, cancelled, …): the same filters and paging. */
    private Response requestPage(DeploymentFilter filter, String cursor, int pageSize) throws SQLException {
        if (cursor != null && !DEPLOYMENT_ID.matcher(cursor).matches()) {
            return RestErrors.failure(400, "not a cursor of this listing");
        }
        List<DeploymentRequests.RequestRow> rows = requests.page(filter, cursor, pageSize + 1);
        if (cursor != null && rows.isEmpty() && requests.find(cursor).isEmpty()) {
            return RestErrors.failure(400, "not a cursor of this listing");
        }
        boolean more = rows.size() > pageSize;
        List<DeploymentProgress> page = rows.subList(0, Math.min(pageSize, rows.size())).stream()
                .map(row -> DeploymentProgress.of(Optional.empty(), Optional.of(row), scheduling.tolerance()).orElseThrow())
                .toList();
        return Response.ok(new LedgerRecords.RequestPage(page, more ? page.get(page.size() - 1).deployment().deploymentId() : null))
                .build();
    }

    @Operation(summary = "One deployment with its per-target attempts, their counts and notifications; also while received or "
            + "scheduled (docs/scheduling.md); of a deployment to more than " + LedgerRecords.LISTED_TARGETS
            + " targets only the failed ones are listed unless deliveries=all")
    @APIResponse(responseCode = "200", description = "the deployment", content = @Content(schema = @Schema(implementation = DeploymentProgress.class)))
    @APIResponse(responseCode = "400", description = "deliveries is neither all nor failed", ref = "Error")
    @APIResponse(responseCode = "404", description = "unknown deployment", ref = "Error")
    @GET
    @Path("/deployments/{deploymentId}")
    public Response deployment(@PathParam("deploymentId") String deploymentId,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "all: every target; failed: "
                    + "only those that did not take it; default: every target up to " + LedgerRecords.LISTED_TARGETS
                    + ", else the failed ones") @QueryParam("deliveries") String deliveries) throws SQLException {
        if (!DEPLOYMENT_ID.matcher(deploymentId).matches()) {
            return RestErrors.failure(404, "no deployment " + deploymentId);
        }
        if (deliveries != null && !DELIVERIES_ALL.equals(deliveries) && !DELIVERIES_FAILED.equals(deliveries)) {
            return RestErrors.failure(400, "deliveries must be all or failed");
        }
        return DeploymentProgress.of(ledger.deployment(deploymentId).map(DeploymentRecord::counted)
                .map(d -> listedDeliveries(d, deliveries)), requests.find(deploymentId), scheduling.tolerance())
                .map(d -> Response.ok(d).build()).orElseGet(() -> RestErrors.failure(404, "no deployment " + deploymentId));
    }

    /** The body of a cancellation or a withdrawal. */
    public record CancelRequest(String reason) {
    }

    /** A body of {@link CancelRequest}'s shape, whatever its media type; empty means no reason; unreadable is empty. */
    private static Optional<CancelRequest> reason(String body) {
        if (body == null || body.isBlank()) {
            return Optional.of(new CancelRequest(null));
        }
        try {
            return Optional.ofNullable(RequestJson.MAPPER.readValue(body, CancelRequest.class));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    @Operation(summary = "Cancel a scheduled activation before it is due (operator; audited as cancelled)")
    @APIResponse(responseCode = "200", description = "cancelled: the deployment as it now stands", content = @Content(schema = @Schema(implementation = DeploymentProgress.class)))
    @APIResponse(responseCode = "400", description = "a body that is not {\"reason\": \"...\"}", ref = "Error")
    @APIResponse(responseCode = "404", description = "unknown deployment", ref = "Error")
    @APIResponse(responseCode = "409", description = "not scheduled (any more): already activating, activated, cancelled or superseded, or never scheduled", ref = "Error")
    @DELETE
    @Path("/deployments/{deploymentId}")
    @Consumes(MediaType.WILDCARD)
    public Response cancel(@PathParam("deploymentId") String deploymentId, @RequestBody(required = false, content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CancelRequest.class))) String body)
            throws SQLException {
        if (!DEPLOYMENT_ID.matcher(deploymentId).matches()) {
            return RestErrors.failure(404, "no deployment " + deploymentId);
        }
        Optional<CancelRequest> request = reason(body);
        if (request.isEmpty()) {
            return RestErrors.failure(400, "the body must be empty or a JSON object: {\"reason\": \"...\"}");
        }
        Optional<DeploymentProgress> before = DeploymentProgress.of(ledger.deployment(deploymentId),
                requests.find(deploymentId), scheduling.tolerance());
        if (before.isEmpty()) {
            return RestErrors.failure(404, "no deployment " + deploymentId);
        }
        if (!activations.cancel(deploymentId, actor(), request.get().reason())) {
            return RestErrors.failure(409, "deployment " + deploymentId + " is " + before.get().deployment().status()
                    + ": only a scheduled activation that is not yet due can be cancelled");
        }
        return deployment(deploymentId, null);
    }

    private static final String DELIVERIES_ALL = "all";
    private static final String DELIVERIES_FAILED = "failed";

    private static DeploymentRecord listedDeliveries(DeploymentRecord record, String deliveries) {
        boolean many = record.counts() != null && record.counts().targets() > LedgerRecords.LISTED_TARGETS;
        return DELIVERIES_FAILED.equals(deliveries) || (deliveries == null && many) ? record.failedOnly() : record;
    }

    /** 404 for an unsafe or unknown policy id, else empty. */
    private Optional<Response> knownPolicy(String id) throws SQLException {
        if (!PolicyValidator.isSafeId(id) || ledger.currentRevision(id).isEmpty()) {
            return Optional.of(RestErrors.failure(404, "no policy " + id + " in the ledger"));
        }
        return Optional.empty();
    }

    private String actor() {
        return identity == null || identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    private static Optional<Integer> limit(String limit) {
        if (limit == null) {
            return Optional.of(DEFAULT_LIMIT);
        }
        if (!limit.matches("[1-9][0-9]{0,3}") || Integer.parseInt(limit) > MAX_LIMIT) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(limit));
    }

    /**
     * The body of a rollback or sync, whatever its declared media type (curl sends none or a form's):
     * empty means no field; anything but a JSON object of the request's fields is empty (a 400).
     */
    private static Optional<RedeployRequest> parse(String body) {
        if (body == null || body.isBlank()) {
            return Optional.of(new RedeployRequest(null, null, null));
        }
        try {
            return Optional.ofNullable(RequestJson.MAPPER.readValue(body, RedeployRequest.class));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static Response answer(DeploymentResult result) {
        return Response.status(result.httpStatus()).type(MediaType.APPLICATION_JSON).entity(result).build();
    }
}
