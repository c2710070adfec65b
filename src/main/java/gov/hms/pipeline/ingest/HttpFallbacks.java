package gov.hms.pipeline.ingest;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * JSON answers where no handler of ours speaks: a wrong method on {@code /api/policies} is
 * 405 with {@code Allow: POST} (RFC 9110 section 15.5.6) rather than 404, and any unknown path is a
 * JSON 404 rather than an HTML page. Both run after every real route.
 */
@ApplicationScoped
public class HttpFallbacks {

    void install(@Observes Router router) {
        router.route("/api/policies").last().handler(context -> {
            if ("POST".equals(context.request().method().name())) {
                context.next();
                return;
            }
            context.response().putHeader("Allow", "POST");
            answer(context, 405, "Method " + context.request().method().name() + " is not allowed on /api/policies; use POST");
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
