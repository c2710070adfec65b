package gov.hms.pipeline.console;

import gov.hms.pipeline.config.PipelineConfig;
import io.quarkus.qute.TemplateData;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Who is looking at a console page and what they may do. Roles are enforced before any page runs
 * ({@code quarkus.http.auth.permission.console-*}); this only decides which forms a page offers,
 * and checks the CSRF token every form posts back ({@link CsrfTokens}).
 */
@ApplicationScoped
public class ConsoleAccess {

    /** The form field every console form carries its CSRF token in. */
    public static final String CSRF_FIELD = "csrf";

    /**
     * The user as the page sees them.
     *
     * @param name     the authenticated user ({@code anonymous} with security off)
     * @param operator whether the page offers actions (operator role, or security off)
     * @param csrf     the token this user's forms carry
     */
    @TemplateData
    public record Viewer(String name, boolean operator, String csrf) {
    }

    private final SecurityIdentity identity;
    private final CsrfTokens tokens;
    private final boolean securityEnabled;

    public ConsoleAccess(SecurityIdentity identity, CsrfTokens tokens, PipelineConfig config) {
        this.identity = identity;
        this.tokens = tokens;
        this.securityEnabled = config.security().enabled();
    }

    public Viewer viewer() {
        String name = name();
        return new Viewer(name, !securityEnabled || identity.hasRole("operator"), tokens.tokenFor(name));
    }

    /** Whether a posted form carries this user's current token. */
    public boolean acceptsForm(String token) {
        return tokens.accepts(name(), token);
    }

    private String name() {
        return identity == null || identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }
}
