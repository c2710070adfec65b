package gov.hms.pipeline.service;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code GET /}: where to go from here, for whoever opens the service's address. JSON for programs
 * ({@code {"service":..,"version":..,"links":{"swaggerUi":"/q/swagger-ui",..}}}), a small page with the same
 * links for a browser (which asks for {@code text/html} first). Open like the other {@code /q/} pages: it
 * shows nothing the OpenAPI document does not (the console behind its link asks for credentials).
 * Not in the OpenAPI document: it is navigation, not API.
 */
@Path("/")
public class ServiceIndexResource {

    /** Link name → path; the paths are Quarkus's defaults, which this service does not move. */
    static final Map<String, String> LINKS = links();

    private final String name;
    private final String version;

    public ServiceIndexResource(@ConfigProperty(name = "quarkus.application.name") String name,
                                @ConfigProperty(name = "quarkus.application.version") String version) {
        this.name = name;
        this.version = version;
    }

    private static Map<String, String> links() {
        Map<String, String> links = new LinkedHashMap<>();
        links.put("console", "/console");
        links.put("swaggerUi", "/q/swagger-ui");
        links.put("openapi", "/q/openapi");
        links.put("health", "/q/health");
        links.put("metrics", "/q/metrics");
        return links;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(hidden = true)
    public Map<String, Object> json() {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("service", name);
        index.put("version", version);
        index.put("links", LINKS);
        return index;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(hidden = true)
    public String page() {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(name).append("</title></head>\n<body><h1>").append(name).append(' ').append(version)
                .append("</h1>\n<ul>\n");
        Map<String, String> labels = Map.of("console", "Operator console", "swaggerUi", "API explorer (Swagger UI)", "openapi", "API document (OpenAPI)",
                "health", "Health", "metrics", "Metrics (Prometheus)");
        LINKS.forEach((key, path) -> html.append("<li><a href=\"").append(path).append("\">").append(labels.get(key))
                .append("</a></li>\n"));
        return html.append("</ul>\n<p>The API needs credentials; see README.md, \"Security\".</p></body></html>\n").toString();
    }
}
