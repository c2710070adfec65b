package gov.hms.pipeline.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.BasicAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.Set;

/**
 * HTTP Basic authentication (RFC 7617) whose 401 challenge carries a JSON body like every other
 * error answer of the service, {@code {"status":"failure","error":"Authentication required"}};
 * checking the credentials is Quarkus' own {@link BasicAuthenticationMechanism}.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class JsonBasicAuthentication implements HttpAuthenticationMechanism {

    static final String REALM = "Quarkus";

    private final BasicAuthenticationMechanism basic = new BasicAuthenticationMechanism(REALM, false);

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        return basic.authenticate(context, identityProviderManager);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return basic.getChallenge(context);
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        return getChallenge(context).map(challenge -> {
            if (!context.response().ended()) {
                context.response().setStatusCode(challenge.status);
                if (challenge.headerName != null) {
                    context.response().putHeader(challenge.headerName, challenge.headerContent);
                }
                context.response().putHeader("Content-Type", "application/json")
                        .end(new JsonObject().put("status", "failure").put("error", "Authentication required").encode());
            }
            return true;
        });
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return basic.getCredentialTypes();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return basic.getCredentialTransport(context);
    }

    @Override
    public int getPriority() {
        return basic.getPriority();
    }
}
