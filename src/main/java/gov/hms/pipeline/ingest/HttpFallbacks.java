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
 * JSON answers where no handler of ours speaks: 401 and 403 from Quarkus security, a wrong method on {@code /api/policies} ({@code Allow: GET, POST}) or
 * {@code /api/policies/validate} ({@code Allow: POST}) is 405 (RFC 9110 section 15.5.6) rather than 404, and any unknown path is a
 * JSON 404 rather than an HTML page. Both run after every real route.
 */
@ApplicationScoped
public class HttpFallbacks {

    /** Methods each path shared by Camel and REST endpoints allows ({@code Allow} of its 405). */
    static final java.util.Map<String, String> ALLOWED = java.util.Map.of("/api/policies", "GET, POST",
            "/api/policies/validate", "POST");

    void install(@Observes Router router) {
        // Authentication and authorization failures as JSON (RFC 9110 sections 15.5.2 and 15.5.4).
        router.route().order(Integer.MIN_VALUE).failureHandler(context -> {
            Throwable failure = context.failure();
            if (failure instanceof AuthenticationFailedException || failure instanceof UnauthorizedException
                    || failure instanceof AuthenticationCompletionException || context.statusCode() == 401) {
                context.response().putHeader("WWW-Authenticate", "Basic realm=\"Quarkus\"");
                answer(context, 401, "Authentication required");
            } else if (methodNotAllowed(context)) {
                // A REST resource's roles check ran before method matching on a path a Camel route
                // shares ({id} = "validate"): the method is wrong whoever asks, so 405 (RFC 9110 section 15.5.6).
                String allow = ALLOWED.get(context.request().path());
                context.response().putHeader("Allow", allow);
                answer(context, 405, "Method " + context.request().method().name() + " is not allowed on "
                        + context.request().path() + "; use " + allow);
            } else if (failure instanceof ForbiddenException || context.statusCode() == 403) {
                answer(context, 403, "Not allowed for this user's roles");
            } else {
                context.next();
            }
        });
        for (var allowed : ALLOWED.entrySet()) {
            String path = allowed.getKey();
            router.route(path).last().handler(context -> {
                if (allowed.getValue().contains(context.request().method().name())) {
                    context.next();
                    return;
                }
                context.response().putHeader("Allow", allowed.getValue());
                answer(context, 405, "Method " + context.request().method().name() + " is not allowed on " + path
                        + "; use " + allowed.getValue());
            });
        }
        router.route().last().handler(context -> answer(context, 404, "No such resource"));
    }

    private static boolean methodNotAllowed(RoutingContext context) {
        String allow = ALLOWED.get(context.request().path());
        return allow != null && !allow.contains(context.request().method().name())
                && (context.failure() instanceof ForbiddenException || context.statusCode() == 403);
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
