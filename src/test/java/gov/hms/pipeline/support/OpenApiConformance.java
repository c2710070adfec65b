package gov.hms.pipeline.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.RestAssuredResponse;
import io.quarkus.test.junit.callback.QuarkusTestAfterAllCallback;
import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestContext;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.FilterContext;
import io.restassured.filter.OrderedFilter;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 17: the OpenAPI document is the truth, enforced. Every answer a {@code @QuarkusTest} receives
 * through RestAssured is validated against the document the service serves at {@code /q/openapi}, with
 * an independent validator (Atlassian's swagger-request-validator): status code documented for the
 * operation, content type, body schema, documented headers. A drift fails the test that saw it.
 * <p>
 * Scope: answers on paths and methods the document describes. A request to an undocumented path or
 * method (a 404 probe, a 405 check, {@code /q/health}) is counted apart and not failed, so a path is only
 * held to the document once it is in the document; the request side is not validated, since tests send
 * bad requests on purpose. Installed for every {@code @QuarkusTest} by Quarkus's test callbacks
 * ({@code META-INF/services}); each class's counts and the running total are printed after the class.
 */
public final class OpenApiConformance implements OrderedFilter, QuarkusTestBeforeEachCallback, QuarkusTestAfterAllCallback {

    private static final OpenApiConformance FILTER = new OpenApiConformance();
    private static final Set<String> UNDOCUMENTED = Set.of("validation.request.path.missing",
            "validation.request.operation.notAllowed");
    // Not under "pipeline.": Quarkus validates every system property below its mapped roots.
    private static final String TOTAL = "openapi-conformance.validated";

    private static final Map<String, OpenApiInteractionValidator> VALIDATORS = new ConcurrentHashMap<>();
    private static final AtomicInteger VALIDATED = new AtomicInteger();
    private static final AtomicInteger UNDOCUMENTED_ANSWERS = new AtomicInteger();

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (!RestAssured.filters().contains(FILTER)) {
            RestAssured.filters(FILTER);
        }
    }

    @Override
    public void afterAll(QuarkusTestContext context) {
        int validated = VALIDATED.getAndSet(0);
        int undocumented = UNDOCUMENTED_ANSWERS.getAndSet(0);
        if (validated + undocumented == 0) {
            return;
        }
        // System properties outlive the class loader of each Quarkus start: the total spans the run.
        int total;
        synchronized (System.class) {
            total = Integer.getInteger(TOTAL, 0) + validated;
            System.setProperty(TOTAL, Integer.toString(total));
        }
        System.out.printf("OpenAPI conformance: %d responses validated against /q/openapi in %s"
                        + " (%d more on undocumented paths or methods); %d validated in this run so far%n",
                validated, context.getTestInstance().getClass().getSimpleName(), undocumented, total);
    }

    @Override
    public int getOrder() {
        return OrderedFilter.HIGHEST_PRECEDENCE;
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec,
            FilterContext context) {
        Response response = context.next(request, responseSpec);
        URI uri = URI.create(request.getURI());
        OpenApiInteractionValidator validator = validatorFor(uri);
        if (validator == null) {
            return response;
        }
        ValidationReport report = validator.validateResponse(uri.getRawPath(),
                Request.Method.valueOf(request.getMethod().toUpperCase(java.util.Locale.ROOT)),
                RestAssuredResponse.of(response));
        if (undocumented(report)) {
            UNDOCUMENTED_ANSWERS.incrementAndGet();
            return response;
        }
        List<ValidationReport.Message> drift = drift(report);
        if (!drift.isEmpty()) {
            throw new AssertionError("The answer to " + request.getMethod() + " " + uri.getRawPath() + " (HTTP "
                    + response.statusCode() + ") differs from /q/openapi: " + drift + "\nbody: " + excerpt(response));
        }
        VALIDATED.incrementAndGet();
        return response;
    }

    /** @return whether the report is about a path or method the document does not describe */
    public static boolean undocumented(ValidationReport report) {
        return report.getMessages().stream().anyMatch(message -> UNDOCUMENTED.contains(message.getKey()));
    }

    /** @return the report's errors: where an answer differs from the document */
    public static List<ValidationReport.Message> drift(ValidationReport report) {
        return report.getMessages().stream()
                .filter(message -> !UNDOCUMENTED.contains(message.getKey()))
                .filter(message -> message.getLevel() == ValidationReport.Level.ERROR)
                .toList();
    }

    /** The served document of the service at {@code uri}'s origin; {@code null} if that origin serves none. */
    public static OpenApiInteractionValidator validatorFor(URI uri) {
        String origin = uri.getScheme() + "://" + uri.getAuthority();
        OpenApiInteractionValidator cached = VALIDATORS.get(origin);
        if (cached != null || VALIDATORS.containsKey(origin)) {
            return cached;
        }
        Response document = RestAssured.given().noFilters().relaxedHTTPSValidation().baseUri(origin).port(uri.getPort())
                .accept("application/json").queryParam("format", "json").get("/q/openapi");
        if (document.statusCode() != 200) {
            return null;
        }
        OpenApiInteractionValidator validator = OpenApiInteractionValidator
                .createForInlineApiSpecification(document.asString())
                .build();
        VALIDATORS.put(origin, validator);
        return validator;
    }

    private static String excerpt(Response response) {
        String body = response.asString();
        return body.length() > 500 ? body.substring(0, 500) + "…" : body;
    }
}
