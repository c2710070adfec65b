package gov.hms.pipeline.console;

import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.console.ConsoleAccess.Viewer;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Map;

/** The console's answers that are not a view: an error page with its status, and the redirect after an action. */
final class ConsoleErrors {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance error(Viewer viewer, int status, String message);
    }

    private ConsoleErrors() {
    }

    /** An HTML page saying what went wrong, answered with {@code status}. */
    static Response page(Viewer viewer, int status, String message) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity(Templates.error(viewer, status, message)).build();
    }

    /** The API's refusal as a page: its status and its {@code error}. */
    static Response refusal(Viewer viewer, Response answer) {
        return page(viewer, answer.getStatus(), errorOf(answer));
    }

    /** The {@code error} of an API answer: a {@link DeploymentResult} or {@code {"status":"failure","error":..}}. */
    static String errorOf(Response answer) {
        Object entity = answer.getEntity();
        return entity instanceof DeploymentResult result ? result.error()
                : entity instanceof Map<?, ?> body ? String.valueOf(body.get("error")) : "refused";
    }

    /** 403: a form without this user's current CSRF token (a page from elsewhere, or an old one). */
    static Response staleForm(Viewer viewer) {
        return page(viewer, 403, "This form did not come from your current console page (or the page is too old). "
                + "Nothing was done. Go back, reload the page and try again.");
    }

    /** 303 See Other (RFC 9110 section 15.4.4) to a console page, so a reload does not post again. */
    static Response seeOther(String path) {
        return Response.seeOther(URI.create(path)).build();
    }
}
