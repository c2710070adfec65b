package gov.hms.pipeline.metrics;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;

/**
 * Content negotiation for {@code GET /q/metrics} (RFC 9110 section 12.5.1) as Prometheus scrapers use it:
 * OpenMetrics 1.0 ({@code application/openmetrics-text}) whenever the {@code Accept} header prefers it over
 * {@code text/plain}, with or without {@code version} and {@code charset} parameters (Prometheus 2.x sends
 * {@code application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5,...}); any other
 * request is left to Quarkus's handler (the Prometheus text format 0.0.4 for {@code text/plain}).
 * <p>
 * Why this exists: Quarkus declares its OpenMetrics route as producing
 * {@code application/openmetrics-text; version=1.0.0; charset=utf-8}, and Vert.x matches the parameters
 * too, so {@code Accept: application/openmetrics-text} got a 406. This route runs first and answers only
 * when OpenMetrics wins; everything else goes on to Quarkus's own handler. The text comes from the same
 * Micrometer registry ({@link PrometheusMeterRegistry#scrape(String)}), so the two formats cannot differ.
 */
@ApplicationScoped
public class OpenMetricsNegotiation {

    private static final String OPENMETRICS = "application/openmetrics-text";

    private final PrometheusMeterRegistry registry;

    public OpenMetricsNegotiation(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    void install(@Observes Router router) {
        router.route(HttpMethod.GET, "/q/metrics").order(Integer.MIN_VALUE + 1).handler(this::answer);
    }

    private void answer(RoutingContext context) {
        if (!prefersOpenMetrics(context.request().getHeader("Accept"))) {
            context.next();
            return;
        }
        context.response()
                .putHeader("Content-Type", TextFormat.CONTENT_TYPE_OPENMETRICS_100)
                .end(registry.scrape(TextFormat.CONTENT_TYPE_OPENMETRICS_100));
    }

    /**
     * @param accept an {@code Accept} header, or {@code null}
     * @return whether {@code application/openmetrics-text} has a higher weight ({@code q}) than every
     *         range that would also take the Prometheus text format ({@code text/plain}, {@code text/*},
     *         the wildcard); on a tie the text format, the default, wins
     */
    static boolean prefersOpenMetrics(String accept) {
        if (accept == null) {
            return false;
        }
        double openMetrics = 0;
        double text = 0;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].trim().toLowerCase(Locale.ROOT);
                if (parameter.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(parameter.substring(2));
                    } catch (NumberFormatException malformed) {
                        q = 0;
                    }
                }
            }
            if (type.equals(OPENMETRICS)) {
                openMetrics = Math.max(openMetrics, q);
            } else if (type.equals("text/plain") || type.equals("text/*") || type.equals("*/*")) {
                text = Math.max(text, q);
            }
        }
        return openMetrics > 0 && openMetrics > text;
    }
}
