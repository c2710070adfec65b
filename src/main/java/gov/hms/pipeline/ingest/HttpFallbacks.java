package gov.hms.pipeline.ingest;

import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * JSON answers where no handler of ours speaks: 401 and 403 from Quarkus security, and any unknown path
 * is a JSON 404 rather than an HTML page (after every real route). A method a path does not serve is
 * answered before any route, by {@link gov.hms.pipeline.http.AllowedMethods}.
 */
@ApplicationScoped
public class HttpFallbacks {

    void install(@Observes Router router) {
        // Authentication and authorization failures as JSON (RFC 9110 sections 15.5.2 and 15.5.4).
        router.route().order(Integer.MIN_VALUE).failureHandler(context -> {
            Throwable failure = context.failure();
            if (failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException
                    || failure instanceof AuthenticationCompletionException || context.statusCode() == 401) {
                context.response().putHeader("WWW-Authenticate", "Basic realm=\"Quarkus\"");
                answer(context, 401, "Authentication required");
            } else if (failure instanceof ForbiddenException || context.statusCode() == 403) {
                answer(context, 403, "Not allowed for this user's roles");
            } else {
                context.next();
            }
        });
        router.route().last().handler(context -> answer(context, 404, "No such resource"));
    }

    private static void answer(RoutingContext context, int status, String error) {
        if (context.response().ended()) {
            return;
        }
        context.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("status", "failure").put("error", error).encode());
    }
}
