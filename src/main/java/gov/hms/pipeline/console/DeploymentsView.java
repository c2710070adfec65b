package gov.hms.pipeline.console;

import gov.hms.pipeline.api.Source;
import gov.hms.pipeline.console.ConsoleAccess.Viewer;
import gov.hms.pipeline.ledger.LedgerRecords.DeploymentPage;
import gov.hms.pipeline.ledger.LedgerRecords.DeploymentRecord;
import gov.hms.pipeline.ledger.LedgerResource;
import gov.hms.pipeline.ledger.LedgerSteps;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Deployments newest first, {@code /console/deployments?policyId=&status=&source=&cursor=}: the
 * API's own listing ({@link LedgerResource#deployments}, same filters, checks and paging). The first
 * page names its JSON source in {@code data-live-src}, which {@code console.js} polls to keep the
 * table current; without JavaScript the page is complete as served.
 */
@Path("/console/deployments")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class DeploymentsView {

    /** Rows per page. */
    static final int PAGE = 50;

    static final List<String> STATUSES = List.of(LedgerSteps.DELIVERING, LedgerSteps.COMPLETED, LedgerSteps.UNCHANGED,
            LedgerSteps.FAILED);
    static final List<String> SOURCES = Arrays.stream(Source.values()).map(Source::label).toList();

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance deployments(Viewer viewer, List<DeploymentRecord> items, String policyId,
                String status, String source, List<String> statuses, List<String> sources, String liveSrc, String nextHref);
    }

    private final LedgerResource api;
    private final ConsoleAccess access;

    public DeploymentsView(LedgerResource api, ConsoleAccess access) {
        this.api = api;
        this.access = access;
    }

    @GET
    public Response deployments(@QueryParam("policyId") String policyId, @QueryParam("status") String status,
            @QueryParam("source") String source, @QueryParam("cursor") String cursor) throws SQLException {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("policyId", blankToNull(policyId));
        filters.put("status", blankToNull(status));
        filters.put("source", blankToNull(source));
        Response answer = api.deployments(filters.get("policyId"), filters.get("status"), filters.get("source"), null,
                Integer.toString(PAGE), blankToNull(cursor));
        if (!(answer.getEntity() instanceof DeploymentPage page)) {
            return ConsoleErrors.refusal(access.viewer(), answer);
        }
        String query = filters.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        String liveSrc = cursor == null ? "/api/deployments?limit=" + PAGE + (query.isEmpty() ? "" : "&" + query) : null;
        String nextHref = page.next() == null ? null
                : "/console/deployments?" + (query.isEmpty() ? "" : query + "&") + "cursor=" + page.next();
        TemplateInstance html = Templates.deployments(access.viewer(), page.items(), orEmpty(filters.get("policyId")),
                orEmpty(filters.get("status")), orEmpty(filters.get("source")), STATUSES, SOURCES, liveSrc, nextHref);
        return Response.ok(html).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).build();
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
