package gov.hms.pipeline.delivery;

import gov.hms.pipeline.audit.AuditLog;
import gov.hms.pipeline.audit.AuditLogUnavailableException;
import gov.hms.pipeline.audit.AuditRecord;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.delivery.ManagedTargets.ManagedTarget;
import gov.hms.pipeline.ingest.RequestJson;
import gov.hms.pipeline.ingest.RestErrors;
import io.quarkus.logging.Log;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Targets over HTTP (docs/targets.md): readers list them, operators add, disable, enable and remove
 * the ones managed at run time ({@link ManagedTargets}); configured targets are listed, and changed only
 * in the configuration. Every change is audited (steps {@value #ADDED}, {@value #DISABLED},
 * {@value #ENABLED}, {@value #REMOVED}; source {@code http}, the operator as actor, no deployment id) and
 * counts from the next deployment's admission on. Errors are {@code {"status":"failure","error":..}}:
 * 400 a malformed target, 404 an unknown one, 409 a name taken or a configured target.
 */
@Path("/api/targets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Targets", description = "The systems packages are delivered to (docs/targets.md)")
public class TargetResource {

    public static final String ADDED = "target-added";
    public static final String DISABLED = "target-disabled";
    public static final String ENABLED = "target-enabled";
    public static final String REMOVED = "target-removed";

    /** A target name: as a policy id, letters, digits, '.', '_', '-', at most 128. */
    /** {@code Retry-After} of a 503 while the audit log takes no records, in seconds (as deployments). */
    private static final String RETRY_AFTER_SECONDS = "30";

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Duration LONGEST_TIMEOUT = Duration.ofMinutes(10);

    private final ManagedTargets managed;
    private final PipelineConfig config;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public TargetResource(ManagedTargets managed, PipelineConfig config, AuditLog audit, SecurityIdentity identity) {
        this.managed = managed;
        this.config = config;
        this.audit = audit;
        this.identity = identity;
    }

    /**
     * A target to add.
     *
     * @param connectTimeout  e.g. {@code 5s}, {@code 500ms}, {@code PT5S}; default 5 s
     * @param responseTimeout default 30 s
     */
    public record NewTarget(String name, String url, String format, List<String> groups, Boolean enabled,
            String connectTimeout, String responseTimeout) {
    }

    /**
     * A target as listed.
     *
     * @param source    {@code config} (pipeline.targets.*; changed only there) or {@code api} (managed at run time)
     * @param url       without user information or query (which may hold secrets)
     * @param updatedBy for a managed target: who added it or last enabled or disabled it
     */
    public record TargetView(String name, String source, String url, String format, List<String> groups,
            boolean enabled, long connectTimeoutMs, long responseTimeoutMs, @Schema(nullable = true) String updatedAt,
            @Schema(nullable = true) String updatedBy) {
    }

    /** Every target, by name. */
    public record TargetList(List<TargetView> items) {
    }

    @Operation(summary = "Every target, configured and managed at run time, by name")
    @APIResponse(responseCode = "200", description = "the targets", content = @Content(schema = @Schema(implementation = TargetList.class)))
    @GET
    public Response list() throws SQLException {
        Map<String, TargetView> views = new TreeMap<>();
        config.targets().forEach((name, target) -> views.put(name, configured(name, target)));
        for (ManagedTarget target : managed.list()) {
            views.putIfAbsent(target.name(), view(target));
        }
        return Response.ok(new TargetList(List.copyOf(views.values()))).build();
    }

    @Operation(summary = "One target")
    @APIResponse(responseCode = "200", description = "the target", content = @Content(schema = @Schema(implementation = TargetView.class)))
    @APIResponse(responseCode = "404", description = "unknown target", ref = "Error")
    @GET
    @Path("/{name}")
    public Response one(@PathParam("name") String name) throws SQLException {
        if (config.targets().containsKey(name)) {
            return Response.ok(configured(name, config.targets().get(name))).build();
        }
        return managed.find(name).map(t -> Response.ok(view(t)).build()).orElseGet(() -> unknown(name));
    }

    @Operation(summary = "Add a target managed at run time (operator); it counts from the next deployment on")
    @APIResponse(responseCode = "201", description = "added", content = @Content(schema = @Schema(implementation = TargetView.class)))
    @APIResponse(responseCode = "400", description = "a malformed target", ref = "Error")
    @APIResponse(responseCode = "409", description = "the name is taken (configured or managed)", ref = "Error")
    @APIResponse(responseCode = "503", description = "the audit log takes no records: nothing changed (Retry-After)", ref = "Error")
    @APIResponse(responseCode = "415", description = "a body that is not JSON", ref = "Error")
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response add(@HeaderParam("Content-Type") String contentType, @RequestBody(content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = NewTarget.class))) String body)
            throws SQLException {
        if (!RequestJson.isJson(contentType)) {
            return RestErrors.failure(415, "send the target as application/json");
        }
        Optional<Response> unrecordable = auditUnavailable();
        if (unrecordable.isPresent()) {
            return unrecordable.get();
        }
        NewTarget request;
        try {
            request = body == null || body.isBlank() ? null : RequestJson.MAPPER.readValue(body, NewTarget.class);
        } catch (IOException e) {
            request = null;
        }
        if (request == null) {
            return RestErrors.failure(400, "the body must be a JSON object: {\"name\", \"url\", \"format\", \"groups\", \"enabled\", "
                    + "\"connectTimeout\", \"responseTimeout\"}");
        }
        List<String> problems = new ArrayList<>();
        ManagedTarget target = checked(request, problems);
        if (!problems.isEmpty()) {
            return RestErrors.failure(400, String.join("; ", problems));
        }
        if (config.targets().containsKey(target.name()) || !managed.add(target, actor())) {
            return RestErrors.failure(409, "a target named " + target.name() + " exists already"
                    + (config.targets().containsKey(target.name()) ? " in the configuration" : ""));
        }
        try {
            audited(ADDED, "target " + target.name() + " added: " + withoutSecrets(target.url()) + ", format "
                    + target.format() + ", groups " + target.groups() + (target.enabled() ? "" : ", disabled"));
        } catch (AuditLogUnavailableException e) {
            managed.remove(target.name()); // not recorded, so not made
            return unrecorded(e);
        }
        return managed.find(target.name()).map(stored -> Response.created(URI.create("/api/targets/" + target.name()))
                .entity(view(stored)).build()).orElseGet(() -> unknown(target.name()));
    }

    @Operation(summary = "Disable a managed target (operator): no deployment delivers to it until it is enabled")
    @APIResponse(responseCode = "200", description = "disabled", content = @Content(schema = @Schema(implementation = TargetView.class)))
    @APIResponse(responseCode = "404", description = "unknown target", ref = "Error")
    @APIResponse(responseCode = "409", description = "a configured target (change the configuration)", ref = "Error")
    @APIResponse(responseCode = "503", description = "the audit log takes no records: nothing changed (Retry-After)", ref = "Error")
    @POST
    @Path("/{name}/disable")
    @Consumes(MediaType.WILDCARD)
    public Response disable(@PathParam("name") String name) throws SQLException {
        return setEnabled(name, false);
    }

    @Operation(summary = "Enable a managed target again (operator)")
    @APIResponse(responseCode = "200", description = "enabled", content = @Content(schema = @Schema(implementation = TargetView.class)))
    @APIResponse(responseCode = "404", description = "unknown target", ref = "Error")
    @APIResponse(responseCode = "409", description = "a configured target (change the configuration)", ref = "Error")
    @APIResponse(responseCode = "503", description = "the audit log takes no records: nothing changed (Retry-After)", ref = "Error")
    @POST
    @Path("/{name}/enable")
    @Consumes(MediaType.WILDCARD)
    public Response enable(@PathParam("name") String name) throws SQLException {
        return setEnabled(name, true);
    }

    @Operation(summary = "Remove a managed target (operator); the ledger keeps its deliveries")
    @APIResponse(responseCode = "200", description = "removed")
    @APIResponse(responseCode = "404", description = "unknown target", ref = "Error")
    @APIResponse(responseCode = "409", description = "a configured target (change the configuration)", ref = "Error")
    @APIResponse(responseCode = "503", description = "the audit log takes no records: nothing changed (Retry-After)", ref = "Error")
    @DELETE
    @Path("/{name}")
    public Response remove(@PathParam("name") String name) throws SQLException {
        if (config.targets().containsKey(name)) {
            return configuredOnly(name);
        }
        Optional<Response> unrecordable = auditUnavailable();
        if (unrecordable.isPresent()) {
            return unrecordable.get();
        }
        Optional<ManagedTarget> target = managed.find(name);
        if (target.isEmpty() || !managed.remove(name)) {
            return unknown(name);
        }
        try {
            audited(REMOVED, "target " + name + " removed (" + withoutSecrets(target.get().url()) + ")");
        } catch (AuditLogUnavailableException e) {
            managed.add(target.get(), actor()); // not recorded, so not made
            return unrecorded(e);
        }
        return Response.ok(Map.of("status", "success", "removed", name)).build();
    }

    private Response setEnabled(String name, boolean enabled) throws SQLException {
        if (config.targets().containsKey(name)) {
            return configuredOnly(name);
        }
        Optional<Response> unrecordable = auditUnavailable();
        if (unrecordable.isPresent()) {
            return unrecordable.get();
        }
        if (!managed.setEnabled(name, enabled, actor())) {
            return unknown(name);
        }
        try {
            audited(enabled ? ENABLED : DISABLED, "target " + name + (enabled ? " enabled" : " disabled"));
        } catch (AuditLogUnavailableException e) {
            managed.setEnabled(name, !enabled, actor()); // not recorded, so not made
            return unrecorded(e);
        }
        // Removed by a concurrent request meanwhile: 404, as for any unknown target.
        return managed.find(name).map(t -> Response.ok(view(t)).build()).orElseGet(() -> unknown(name));
    }

    /** Every change is audited first-class: while the audit log takes no records, none is made (503, as deployments). */
    private Optional<Response> auditUnavailable() {
        String problem = audit.problem();
        return problem == null ? Optional.empty() : Optional.of(unrecordedAnswer(problem));
    }

    private static Response unrecorded(AuditLogUnavailableException e) {
        return unrecordedAnswer(e.getMessage());
    }

    private static Response unrecordedAnswer(String problem) {
        return Response.fromResponse(RestErrors.failure(503, "the audit log takes no records (" + problem
                + "); nothing was changed, try again later")).header("Retry-After", RETRY_AFTER_SECONDS).build();
    }

    /** The request as a target, its problems added to {@code problems}. */
    private static ManagedTarget checked(NewTarget request, List<String> problems) {
        if (request.name() == null || !NAME.matcher(request.name()).matches()) {
            problems.add("name must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (!isHttpUrl(request.url())) {
            problems.add("url must be an absolute http or https URL without user information or '{{'");
        }
        String format = request.format() == null ? "json" : request.format().toLowerCase(Locale.ROOT);
        if (!format.equals("json") && !format.equals("zip")) {
            problems.add("format must be json or zip");
        }
        List<String> groups = request.groups() == null ? List.of() : request.groups();
        if (groups.stream().anyMatch(g -> g == null || !TargetDelivery.GROUP.matcher(g).matches())) {
            problems.add("each group must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        Duration connect = duration(request.connectTimeout(), Duration.ofSeconds(5), "connectTimeout", problems);
        Duration response = duration(request.responseTimeout(), Duration.ofSeconds(30), "responseTimeout", problems);
        return new ManagedTarget(request.name(), request.url(), format, groups.stream().distinct().sorted().toList(),
                request.enabled() == null || request.enabled(), connect, response, null, null, null);
    }

    /**
     * An absolute http(s) URL with a host. No user information (credentials belong in the configuration,
     * never in the ledger) and no {@code {{}: camel-http resolves property placeholders in a request's URL,
     * which would let a URL send a configuration value to its target.
     */
    static boolean isHttpUrl(String url) {
        if (url == null || url.contains("{{") || url.length() > 2048) {
            return false;
        }
        try {
            URI uri = new URI(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** {@code 5s}, {@code 500ms}, {@code 2m} or ISO-8601 ({@code PT5S}); at least 1 ms and at most 10 minutes. */
    static Duration duration(String text, Duration otherwise, String field, List<String> problems) {
        if (text == null) {
            return otherwise;
        }
        Duration parsed = null;
        try {
            var simple = java.util.regex.Pattern.compile("([0-9]{1,9})(ms|s|m)").matcher(text);
            if (simple.matches()) {
                long amount = Long.parseLong(simple.group(1));
                parsed = switch (simple.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    default -> Duration.ofMinutes(amount);
                };
            } else {
                parsed = Duration.parse(text);
            }
        } catch (DateTimeParseException e) {
            parsed = null;
        }
        // Below a millisecond would reach camel-http as 0, which means no timeout at all.
        if (parsed == null || parsed.compareTo(Duration.ofMillis(1)) < 0 || parsed.compareTo(LONGEST_TIMEOUT) > 0) {
            problems.add(field + " must be a duration such as 5s, 500ms or PT5S, at least 1ms and at most 10m");
            return otherwise;
        }
        return parsed;
    }

    private static TargetView view(ManagedTarget target) {
        return new TargetView(target.name(), "api", withoutSecrets(target.url()), target.format(), target.groups(),
                target.enabled(), target.connectTimeout().toMillis(), target.responseTimeout().toMillis(),
                target.updatedAt(), target.updatedBy());
    }

    private static TargetView configured(String name, PipelineConfig.Target target) {
        return new TargetView(name, "config", withoutSecrets(target.url()), target.format().toLowerCase(Locale.ROOT),
                target.groups().orElse(List.of()), target.enabled(), target.connectTimeout().toMillis(),
                target.responseTimeout().toMillis(), null, null);
    }

    /** The URL without user information or query, which may hold credentials. */
    static String withoutSecrets(String url) {
        try {
            URI uri = new URI(url);
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (URISyntaxException | RuntimeException e) {
            return "(unreadable URL)";
        }
    }

    private void audited(String step, String detail) {
        audit.append(new AuditRecord(Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), null, null, step,
                AuditRecord.OK, "http", actor(), detail, null, null, null, "targets api", null));
        Log.infof("%s by %s", detail, actor());
    }

    private String actor() {
        return identity == null || identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    private static Response configuredOnly(String name) {
        return RestErrors.failure(409, "target " + name + " is configured (pipeline.targets." + name + ".*): change it in the configuration");
    }

    private static Response unknown(String name) {
        return RestErrors.failure(404, "no target " + name);
    }
}
