package gov.hms.pipeline.console;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.console.ConsoleAccess.Viewer;
import gov.hms.pipeline.ledger.DeploymentLedger;
import gov.hms.pipeline.ledger.LedgerRecords.PolicyPage;
import gov.hms.pipeline.ledger.LedgerRecords.PolicyStatus;
import gov.hms.pipeline.ledger.LedgerRecords.ScheduledRevision;
import gov.hms.pipeline.ledger.LedgerRecords.TargetStatus;
import gov.hms.pipeline.ledger.PolicyCatalogue;
import gov.hms.pipeline.validation.PolicyValidator;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The console's first page, {@code GET /console}: every policy with its live version and title,
 * and a matrix of policy × target saying whether each target has the live revision
 * ({@link PolicyCatalogue}). {@code q} keeps policies whose id or title contains it (any case),
 * {@code behind=true} those some target is not in sync with; {@code cursor} pages on by policy id.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class PoliciesView {

    /** Rows per page. */
    static final int PAGE = 100;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance policies(Viewer viewer, List<String> targets, List<Row> rows, String q,
                String qEncoded, boolean behind, String next);
    }

    /**
     * One policy: its live revision ({@code null} while nothing of it is live yet), the next of its
     * scheduled activations ({@code null} if none) and, per target column, its cell.
     */
    @TemplateData
    public record Row(String policyId, String title, Integer revision, String version, ScheduledRevision next,
            List<Cell> cells, boolean inSync) {
    }

    /**
     * One policy at one target.
     *
     * @param state {@code in sync}, {@code behind} (has an older or other revision) or {@code missing}
     *              ({@code n/a} for a target this policy was never meant for)
     */
    @TemplateData
    public record Cell(String target, String state, Integer revision, String version, String deliveredAt) {

        /** The state as a CSS class name. */
        public String css() {
            return state.replace(' ', '-').replace("/", "");
        }
    }

    private final PolicyCatalogue catalogue;
    private final DeploymentLedger ledger;
    private final ConsoleAccess access;

    public PoliciesView(PolicyCatalogue catalogue, DeploymentLedger ledger, ConsoleAccess access) {
        this.catalogue = catalogue;
        this.ledger = ledger;
        this.access = access;
    }

    @GET
    public TemplateInstance policies(@QueryParam("q") String q, @QueryParam("behind") boolean behind,
            @QueryParam("cursor") String cursor) throws SQLException {
        String query = q == null ? "" : q.trim();
        String from = cursor != null && PolicyValidator.isSafeId(cursor) ? cursor : null;
        List<Row> rows = new ArrayList<>();
        boolean more = false;
        // Filtering happens here, so the catalogue is read page after page until this page is full.
        pages:
        while (true) {
            PolicyPage page = catalogue.page(from, PAGE);
            List<PolicyStatus> items = page.items();
            for (int i = 0; i < items.size(); i++) {
                PolicyStatus status = items.get(i);
                String title = title(ledger, status);
                if (matches(status, title, query) && (!behind || !allInSync(status))) {
                    rows.add(row(status, title));
                }
                from = status.policyId();
                if (rows.size() == PAGE) {
                    more = i < items.size() - 1 || page.next() != null;
                    break pages;
                }
            }
            if (page.next() == null) {
                break;
            }
            from = page.next(); // past policies the catalogue skipped (never live, nothing scheduled)
        }
        String next = more ? from : null;
        List<String> targets = rows.stream().flatMap(r -> r.cells().stream()).map(Cell::target)
                .collect(Collectors.toCollection(TreeSet::new)).stream().toList();
        List<Row> matrix = rows.stream().map(r -> withColumns(r, targets)).toList();
        return Templates.policies(access.viewer(), targets, matrix, query, URLEncoder.encode(query, StandardCharsets.UTF_8),
                behind, next);
    }

    /** The live revision's title; while nothing is live, that of the revision scheduled first. */
    static String title(DeploymentLedger ledger, PolicyStatus status) throws SQLException {
        Integer revision = status.revision() != null ? status.revision()
                : status.scheduled().stream().map(ScheduledRevision::revision).filter(r -> r != null).findFirst().orElse(null);
        if (revision == null) {
            return "";
        }
        return ledger.policyJson(status.policyId(), revision).map(json -> json.path("title"))
                .filter(JsonNode::isTextual).map(JsonNode::asText).orElse("");
    }

    private static boolean matches(PolicyStatus status, String title, String query) {
        String needle = query.toLowerCase(Locale.ROOT);
        return needle.isEmpty() || status.policyId().toLowerCase(Locale.ROOT).contains(needle)
                || title.toLowerCase(Locale.ROOT).contains(needle);
    }

    /** Every target has the live revision; a policy with nothing live yet is behind nowhere. */
    private static boolean allInSync(PolicyStatus status) {
        return status.revision() == null || status.targets().stream().allMatch(TargetStatus::inSync);
    }

    private static Row row(PolicyStatus status, String title) {
        List<Cell> cells = status.targets().stream().map(t -> new Cell(t.target(),
                status.revision() == null ? "scheduled" : t.inSync() ? "in sync" : t.revision() == null ? "missing" : "behind",
                t.revision(), t.version(), t.deliveredAt())).toList();
        return new Row(status.policyId(), title, status.revision(), status.version(),
                status.scheduled().isEmpty() ? null : status.scheduled().get(0), cells, allInSync(status));
    }

    /** The row with one cell per column, in column order ({@code n/a} where the policy has no such target). */
    private static Row withColumns(Row row, List<String> targets) {
        Map<String, Cell> byTarget = row.cells().stream().collect(Collectors.toMap(Cell::target, Function.identity()));
        List<Cell> cells = targets.stream()
                .map(t -> byTarget.getOrDefault(t, new Cell(t, "n/a", null, null, null))).toList();
        return new Row(row.policyId(), row.title(), row.revision(), row.version(), row.next(), cells, row.inSync());
    }
}
