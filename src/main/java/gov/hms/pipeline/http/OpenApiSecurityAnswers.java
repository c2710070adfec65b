package gov.hms.pipeline.http;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Completes the served OpenAPI document with what Quarkus security answers on every operation under
 * {@code /api/} and {@code /registry/} ({@code pipeline.security.enabled}): a JSON {@code 401} (no or
 * wrong credentials) and {@code 403} (a role is missing), both
 * {@code #/components/responses/Error} as {@code HttpFallbacks} writes them. Written once here rather
 * than on each operation, so a new endpoint is documented with them from the start.
 * HTTP Basic itself is the document's one top-level security requirement ({@code META-INF/openapi.yaml}),
 * which every operation inherits. Registered with {@code mp.openapi.filter}.
 */
public class OpenApiSecurityAnswers implements OASFilter {

    private static final String ERROR = "#/components/responses/Error";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith("/api/") || path.startsWith("/registry/")) {
                item.getOperations().values().forEach(OpenApiSecurityAnswers::secure);
            }
        });
    }

    private static void secure(Operation operation) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        for (String status : new String[] {"401", "403"}) {
            if (!responses.hasAPIResponse(status)) {
                responses.addAPIResponse(status, OASFactory.createAPIResponse().ref(ERROR));
            }
        }
    }
}
