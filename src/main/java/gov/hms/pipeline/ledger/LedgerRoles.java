package gov.hms.pipeline.ledger;

import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The ledger's roles, checked once for every ledger endpoint: {@code reader} (or {@code operator})
 * to read {@code /api/policies…} and {@code /api/deployments…}, {@code operator} to roll back or
 * sync; and for {@code /api/targets}, {@code reader} to read and {@code operator} to change. A 403
 * answer is the contract's JSON. Done here rather than with path permissions in
 * {@code application.properties}: a permission restricted to GET on these paths would turn a
 * request with another method into a 403 instead of the 405 with {@code Allow} (authentication
 * itself still comes from the path permissions). Off with {@code pipeline.security.enabled=false}.
 */
@ApplicationScoped
public class LedgerRoles {

    private static final Set<String> READERS = Set.of("reader", "operator");
    private static final Set<String> OPERATORS = Set.of("operator");

    private final SecurityIdentity identity;
    private final boolean enabled;

    public LedgerRoles(SecurityIdentity identity, PipelineConfig config) {
        this.identity = identity;
        this.enabled = config.security().enabled();
    }

    /** @return the 403 answer, or {@code null} to let the request go on */
    @ServerRequestFilter
    public Response filter(ContainerRequestContext request) {
        if (!enabled) {
            return null;
        }
        String path = request.getUriInfo().getPath();
        boolean targets = path.equals("/api/targets") || path.startsWith("/api/targets/");
        if (!path.startsWith("/api/policies") && !path.startsWith("/api/deployments") && !targets) {
            return null;
        }
        String method = request.getMethod();
        Set<String> needed;
        if ("GET".equals(method) || "HEAD".equals(method)) {
            needed = READERS;
        } else if (targets && !"OPTIONS".equals(method)) {
            // The targets managed at run time (/api/targets): operators add, enable, disable and remove them.
            needed = OPERATORS;
        } else if ("POST".equals(method) && (path.endsWith("/rollback") || path.endsWith("/sync"))) {
            needed = OPERATORS;
        } else if ("DELETE".equals(method) && path.startsWith("/api/deployments/")) {
            needed = OPERATORS; // cancelling a scheduled activation
        } else if ("DELETE".equals(method) && path.startsWith("/api/policies/")) {
            needed = OPERATORS; // withdrawing a policy
        } else {
            return null;
        }
        if (needed.stream().anyMatch(identity::hasRole)) {
            return null;
        }
        return Response.status(403).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("status", "failure", "error", "Not allowed for this user's roles (needs "
                        + String.join(" or ", needed.stream().sorted().toList()) + ")"))
                .build();
    }
}
