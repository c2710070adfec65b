package gov.hms.pipeline.console;

import static gov.hms.pipeline.console.ConsoleAccess.CSRF_FIELD;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.console.ConsoleAccess.Viewer;
import gov.hms.pipeline.ledger.DeploymentLedger;
import gov.hms.pipeline.ledger.LedgerRecords.PolicyStatus;
import gov.hms.pipeline.ledger.LedgerRecords.PolicyVersion;
import gov.hms.pipeline.ledger.LedgerResource;
import gov.hms.pipeline.ledger.LedgerResource.RedeployRequest;
import gov.hms.pipeline.ledger.PolicyCatalogue;
import gov.hms.pipeline.validation.PolicyValidator;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestForm;

/**
 * One policy, {@code /console/policies/{id}}: its live state per target, its versions (who, when,
 * from where, package downloads from the API), the RFC 6902 difference between two versions
 * ({@code ?from=&to=}, a version label or revision), and, for operators, Rollback and Sync.
 * <p>
 * Both actions are the API's own ({@link LedgerResource#rollback}, {@link LedgerResource#sync}),
 * called with the operator's identity, so they are checked, audited and recorded exactly as a
 * {@code curl} user's; a reason is required for both (the API requires one for rollback only). A
 * deployment that ran is shown on its page (303); a refusal is shown here with the API's status.
 */
@Path("/console/policies/{id}")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class PolicyView {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance policy(Viewer viewer, PolicyStatus status, String title, List<Version> versions,
                Diff diff, String problem);
    }

    /**
     * One revision.
     *
     * @param formats the package formats kept for it (download links)
     * @param live    whether it is the policy's current revision
     */
    @TemplateData
    public record Version(int revision, String version, String policySha256, String deploymentId, String deployedAt,
            String actor, String source, List<String> formats, boolean live) {

        /** The revision as the diff form names it. */
        public String key() {
            return Integer.toString(revision);
        }

        /** The version label, else {@code rev N}. */
        public String label() {
            return version != null ? version : "rev " + revision;
        }
    }

    /**
     * A diff between two versions.
     *
     * @param from       the chosen "from" ({@code null}: none chosen yet)
     * @param operations the JSON Patch operations, empty when equal
     * @param problem    why there is no diff (an unknown version), else {@code null}
     */
    @TemplateData
    public record Diff(String from, String to, List<Operation> operations, String problem) {
    }

    /** One RFC 6902 operation, its value as JSON text. */
    @TemplateData
    public record Operation(String op, String path, String from, String value) {
    }

    private final PolicyCatalogue catalogue;
    private final DeploymentLedger ledger;
    private final LedgerResource api;
    private final ConsoleAccess access;

    public PolicyView(PolicyCatalogue catalogue, DeploymentLedger ledger, LedgerResource api, ConsoleAccess access) {
        this.catalogue = catalogue;
        this.ledger = ledger;
        this.api = api;
        this.access = access;
    }

    @GET
    public Response policy(@PathParam("id") String id, @QueryParam("from") String from, @QueryParam("to") String to)
            throws SQLException {
        return render(id, from, to, 200, null);
    }

    @POST
    @Path("/rollback")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response rollback(@PathParam("id") String id, @RestForm String toRevision, @RestForm String reason,
            @RestForm(CSRF_FIELD) String csrf) throws SQLException {
        if (!access.acceptsForm(csrf)) {
            return ConsoleErrors.staleForm(access.viewer());
        }
        if (toRevision == null || !toRevision.matches("[1-9][0-9]{0,8}")) {
            return render(id, null, null, 400, "Choose the revision to roll back to.");
        }
        return outcome(id, api.rollback(id, new RedeployRequest(null, Integer.parseInt(toRevision), reason)));
    }

    @POST
    @Path("/sync")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response sync(@PathParam("id") String id, @RestForm String reason, @RestForm(CSRF_FIELD) String csrf)
            throws SQLException {
        if (!access.acceptsForm(csrf)) {
            return ConsoleErrors.staleForm(access.viewer());
        }
        if (reason == null || gov.hms.pipeline.validation.EcmaScriptWhiteSpace.isBlank(reason)) {
            return render(id, null, null, 400, "give a reason (it is audited)");
        }
        return outcome(id, api.sync(id, new RedeployRequest(null, null, reason)));
    }

    /** A deployment that ran: its page. A refusal (no deployment): this page again, saying why, with the API's status. */
    private Response outcome(String id, Response answer) throws SQLException {
        Object entity = answer.getEntity();
        if (entity instanceof DeploymentResult result && result.deploymentId() != null) {
            return ConsoleErrors.seeOther("/console/deployments/" + result.deploymentId());
        }
        return render(id, null, null, answer.getStatus(), ConsoleErrors.errorOf(answer));
    }

    private Response render(String id, String from, String to, int status, String problem) throws SQLException {
        Optional<PolicyStatus> live = PolicyValidator.isSafeId(id) ? catalogue.live(id) : Optional.empty();
        if (live.isEmpty()) {
            return ConsoleErrors.page(access.viewer(), 404, "No policy " + id + " in the ledger.");
        }
        String title = PoliciesView.title(ledger, live.get());
        Map<Integer, List<String>> formats = ledger.packageFormats(id);
        List<Version> versions = new ArrayList<>();
        for (PolicyVersion v : catalogue.versions(id)) {
            versions.add(new Version(v.revision(), v.version(), v.policySha256(), v.deploymentId(), v.deployedAt(),
                    v.actor(), v.source(), formats.getOrDefault(v.revision(), List.of()),
                    Integer.valueOf(v.revision()).equals(live.get().revision())));
        }
        TemplateInstance page = Templates.policy(access.viewer(), live.get(), title, versions, diff(id, from, to, versions),
                problem);
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(page).build();
    }

    /** The diff asked for; without {@code from}/{@code to}, from the previous revision to the live one. */
    private Diff diff(String id, String from, String to, List<Version> versions) throws SQLException {
        if (from == null || from.isBlank() || to == null || to.isBlank()) {
            if (versions.size() < 2) {
                return new Diff(null, null, List.of(), null);
            }
            from = Integer.toString(versions.get(1).revision());
            to = Integer.toString(versions.get(0).revision());
        }
        Optional<JsonNode> patch = catalogue.diff(id, from.trim(), to.trim());
        if (patch.isEmpty()) {
            return new Diff(from, to, List.of(), "This policy has no version or revision " + from + " or " + to + ".");
        }
        List<Operation> operations = new ArrayList<>();
        for (JsonNode op : patch.get()) {
            operations.add(new Operation(op.path("op").asText(), op.path("path").asText(),
                    op.has("from") ? op.get("from").asText() : null, op.has("value") ? op.get("value").toString() : null));
        }
        return new Diff(from, to, operations, null);
    }
}
