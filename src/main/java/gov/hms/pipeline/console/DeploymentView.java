package gov.hms.pipeline.console;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.api.NotificationOutcome;
import gov.hms.pipeline.audit.AuditLog;
import gov.hms.pipeline.audit.AuditQuery;
import gov.hms.pipeline.console.ConsoleAccess.Viewer;
import gov.hms.pipeline.delivery.DeadLetterStore;
import gov.hms.pipeline.ledger.LedgerRecords.DeploymentRecord;
import gov.hms.pipeline.ledger.LedgerResource;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;

/**
 * One deployment, {@code /console/deployments/{id}}: the API's record of it
 * ({@link LedgerResource#deployment}) with each target's outcome and attempts and each subscriber's
 * notification, whether it is kept as a dead letter, and its audit records in log order
 * ({@link AuditLog#query}, at most {@link AuditQuery#MAX_LIMIT}).
 */
@Path("/console/deployments/{id}")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class DeploymentView {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance deployment(Viewer viewer, DeploymentRecord d, List<NotificationOutcome> notifications,
                List<AuditRow> audit, boolean moreAudit, boolean deadLetter);
    }

    /** One audit record as shown. */
    @TemplateData
    public record AuditRow(String time, String step, String outcome, String source, String actor, String detail) {

        static AuditRow of(JsonNode record) {
            return new AuditRow(text(record, "time"), text(record, "step"), text(record, "outcome"), text(record, "source"),
                    text(record, "actor"), text(record, "detail"));
        }
    }

    private final LedgerResource api;
    private final AuditLog auditLog;
    private final DeadLetterStore deadLetters;
    private final ConsoleAccess access;

    public DeploymentView(LedgerResource api, AuditLog auditLog, DeadLetterStore deadLetters, ConsoleAccess access) {
        this.api = api;
        this.auditLog = auditLog;
        this.deadLetters = deadLetters;
        this.access = access;
    }

    @GET
    public Response deployment(@PathParam("id") String id) throws SQLException {
        Response answer = api.deployment(id, "all");
        AuditQuery.Page page = answer.getStatus() == 404 && !DeadLetterStore.isValidId(id) ? null
                : auditLog.query(new AuditQuery.Filter(null, id, null, null, null), AuditQuery.MAX_LIMIT, null);
        DeploymentRecord record;
        if (answer.getEntity() instanceof DeploymentRecord found) {
            record = found;
        } else if (page != null && !page.records().isEmpty()) {
            // Refused before the ledger admitted it (malformed, invalid): the audit log alone knows it.
            record = fromAudit(id, page.records());
        } else {
            return ConsoleErrors.refusal(access.viewer(), answer);
        }
        List<NotificationOutcome> notifications = record.notifications() == null ? List.of() : record.notifications();
        List<AuditRow> audit = page.records().stream().map(AuditRow::of).toList();
        TemplateInstance html = Templates.deployment(access.viewer(), record, notifications, audit,
                page.nextCursor() != null, deadLetters.find(id).isPresent());
        return Response.ok(html).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).build();
    }

    /**
     * A deployment the ledger never admitted, as its audit records tell it: status {@code failed}
     * (or {@code delivering} while no final record is written), the final record's detail as error.
     */
    static DeploymentRecord fromAudit(String id, List<JsonNode> records) {
        JsonNode first = records.get(0);
        JsonNode last = records.get(records.size() - 1);
        String policyId = records.stream().map(r -> text(r, "policyId")).filter(p -> p != null).findFirst().orElse(null);
        boolean ended = "failed".equals(text(last, "step")) || "completed".equals(text(last, "step"));
        String status = !ended ? "delivering" : "completed".equals(text(last, "step")) ? "completed" : "failed";
        return new DeploymentRecord(id, policyId, null, text(last, "version"), status, text(first, "source"),
                text(first, "actor"), text(first, "origin"), null, null, null, null,
                "failed".equals(status) ? text(last, "detail") : null, text(first, "time"), ended ? text(last, "time") : null,
                List.of(), null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? null : value.asText();
    }
}
