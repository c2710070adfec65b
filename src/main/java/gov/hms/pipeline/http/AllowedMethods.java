package gov.hms.pipeline.http;

import io.quarkus.arc.Arc;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.PlatformHttpComponent;

/**
 * One answer to "which methods does this path serve?" for every path the service serves, read from what
 * really serves it: the JAX-RS resource classes (their {@code @Path} and HTTP method annotations) and the
 * Camel platform-http consumers (their {@code httpMethodRestrict}). With it, as a Quarkus HTTP filter
 * that runs after authentication and authorization and before any resource or route:
 * <ul>
 * <li>a method the path does not serve is {@code 405} with {@code Allow} (RFC 9110 section 15.5.6) and the
 * JSON error {@code {"status":"failure","error":...}};</li>
 * <li>{@code OPTIONS} is {@code 204} with the same {@code Allow} (section 9.3.7), never a method the path
 * does not serve (RESTEasy's own OPTIONS listed every method of the resource class).</li>
 * </ul>
 * {@code GET} implies {@code HEAD} (section 9.3.2; JAX-RS and Vert.x answer it). Where several templates
 * match a path ({@code /api/policies/validate} and a {@code /api/policies/{id}}), their methods add up, as
 * the router would serve each. A path nobody serves is left alone (the JSON 404 of {@code HttpFallbacks}).
 */
@ApplicationScoped
public class AllowedMethods {

    /** After authorization (Quarkus runs its security filters at priorities 200 and 100), before routes. */
    static final int FILTER_PRIORITY = 10;

    private static final Pattern TEMPLATE_PARAMETER = Pattern.compile("\\{[^}]*}");

    private final CamelContext camel;
    private volatile List<Resource> jaxRs;

    public AllowedMethods(CamelContext camel) {
        this.camel = camel;
    }

    /** A path template (as a regular expression) and the methods it serves. */
    record Resource(Pattern path, Set<String> methods) {
    }

    void install(@Observes io.quarkus.vertx.http.runtime.filters.Filters filters) {
        filters.register(this::filter, FILTER_PRIORITY);
    }

    private void filter(RoutingContext context) {
        Set<String> allowed = allowed(context.normalizedPath());
        String method = context.request().method().name();
        if (allowed.isEmpty() || (allowed.contains(method) && !method.equals("OPTIONS"))) {
            context.next();
            return;
        }
        String allow = String.join(", ", allowed);
        context.response().putHeader("Allow", allow);
        if (method.equals("OPTIONS")) {
            context.response().setStatusCode(204).end();
            return;
        }
        context.response().setStatusCode(405).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("status", "failure").put("error", "Method " + method
                        + " is not allowed on " + context.normalizedPath() + "; allowed: " + allow).encode());
    }

    /** @return the methods served at {@code path}, with HEAD for GET and OPTIONS; empty if nothing serves it */
    Set<String> allowed(String path) {
        Set<String> methods = new TreeSet<>();
        for (Resource resource : resources()) {
            if (resource.path().matcher(path).matches()) {
                methods.addAll(resource.methods());
            }
        }
        if (methods.isEmpty()) {
            return methods;
        }
        if (methods.contains("GET")) {
            methods.add("HEAD");
        }
        methods.add("OPTIONS");
        return methods;
    }

    private List<Resource> resources() {
        List<Resource> all = new ArrayList<>(jaxRsResources());
        // Camel consumers are read on every request: routes may start after the HTTP server, or later.
        PlatformHttpComponent platformHttp = camel.hasComponent("platform-http") instanceof PlatformHttpComponent component ? component : null;
        if (platformHttp != null) {
            for (HttpEndpointModel endpoint : platformHttp.getHttpEndpoints()) {
                if (endpoint.getVerbs() != null && !endpoint.getVerbs().isBlank()) {
                    all.add(new Resource(template(endpoint.getUri()), Set.of(endpoint.getVerbs().split(","))));
                }
            }
        }
        return all;
    }

    private List<Resource> jaxRsResources() {
        List<Resource> known = jaxRs;
        if (known == null) {
            known = new ArrayList<>();
            Collection<Bean<?>> beans = Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE);
            for (Bean<?> bean : beans) {
                Path root = bean.getBeanClass().getAnnotation(Path.class);
                if (root != null) {
                    addResourceMethods(root.value(), bean.getBeanClass(), known);
                }
            }
            jaxRs = known;
        }
        return known;
    }

    private static void addResourceMethods(String root, Class<?> resource, List<Resource> into) {
        for (Method method : resource.getMethods()) {
            String httpMethod = httpMethod(method);
            if (httpMethod == null) {
                continue;
            }
            Path sub = method.getAnnotation(Path.class);
            into.add(new Resource(template(join(root, sub == null ? "" : sub.value())), Set.of(httpMethod)));
        }
    }

    private static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod designator = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (designator != null) {
                return designator.value();
            }
        }
        return null;
    }

    private static String join(String root, String sub) {
        String path = ("/" + root + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** A JAX-RS or platform-http path template as a regular expression: each {@code {name}} is one segment. */
    static Pattern template(String template) {
        StringBuilder regex = new StringBuilder();
        Matcher parameter = TEMPLATE_PARAMETER.matcher(template);
        int at = 0;
        while (parameter.find()) {
            regex.append(Pattern.quote(template.substring(at, parameter.start()))).append("[^/]+");
            at = parameter.end();
        }
        regex.append(Pattern.quote(template.substring(at)));
        return Pattern.compile(regex.toString());
    }
}
