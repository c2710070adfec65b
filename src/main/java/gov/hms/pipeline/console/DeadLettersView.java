package gov.hms.pipeline.console;

import static gov.hms.pipeline.console.ConsoleAccess.CSRF_FIELD;

import gov.hms.pipeline.api.DeploymentResult;
import gov.hms.pipeline.broker.QueueDeadLetterResource;
import gov.hms.pipeline.broker.QueueDeadLetters;
import gov.hms.pipeline.console.ConsoleAccess.Viewer;
import gov.hms.pipeline.delivery.DeadLetter;
import gov.hms.pipeline.delivery.DeadLetterResource;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.resteasy.reactive.RestForm;

/**
 * Dead letters, {@code /console/dead-letters} (operators only, as {@code /api/dead-letters}):
 * deployments some target finally did not take, each with every missing target's last error, and
 * Retry and Discard, which are the API's own ({@link DeadLetterResource#retry},
 * {@link DeadLetterResource#discard}: same claim, route, audit records and answers). A retry that
 * ran is shown on its deployment's page (303); a refusal (409 already running, 404 gone) here.
 * Below them, the input queue's dead letters on the embedded broker, each with why it failed, and
 * Retry (back to the input queue) and Discard: {@link QueueDeadLetterResource}'s own.
 */
@Path("/console/dead-letters")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class DeadLettersView {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance deadLetters(Viewer viewer, List<DeadLetter.Summary> items, String queue,
                boolean queueHere, List<QueueDeadLetters.Message> queueItems, String problem);
    }

    private final DeadLetterResource api;
    private final QueueDeadLetterResource queueApi;
    private final QueueDeadLetters queueDeadLetters;
    private final ConsoleAccess access;

    public DeadLettersView(DeadLetterResource api, QueueDeadLetterResource queueApi, QueueDeadLetters queueDeadLetters,
            ConsoleAccess access) {
        this.api = api;
        this.queueApi = queueApi;
        this.queueDeadLetters = queueDeadLetters;
        this.access = access;
    }

    @GET
    public Response deadLetters() {
        return render(200, null);
    }

    @POST
    @Path("/{id}/retry")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response retry(@PathParam("id") String id, @RestForm(CSRF_FIELD) String csrf) {
        if (!access.acceptsForm(csrf)) {
            return ConsoleErrors.staleForm(access.viewer());
        }
        Response answer = api.retry(id);
        if (answer.getEntity() instanceof DeploymentResult result && result.deploymentId() != null) {
            return ConsoleErrors.seeOther("/console/deployments/" + result.deploymentId());
        }
        return render(answer.getStatus(), ConsoleErrors.errorOf(answer));
    }

    @POST
    @Path("/{id}/discard")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response discard(@PathParam("id") String id, @RestForm(CSRF_FIELD) String csrf) {
        if (!access.acceptsForm(csrf)) {
            return ConsoleErrors.staleForm(access.viewer());
        }
        Response answer = api.discard(id);
        if (answer.getStatus() == 200) {
            return ConsoleErrors.seeOther("/console/dead-letters");
        }
        return render(answer.getStatus(), ConsoleErrors.errorOf(answer));
    }

    @POST
    @Path("/queue/{messageId}/retry")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response retryQueued(@PathParam("messageId") String messageId, @RestForm(CSRF_FIELD) String csrf) {
        return queueAction(csrf, () -> queueApi.retry(messageId));
    }

    @POST
    @Path("/queue/{messageId}/discard")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response discardQueued(@PathParam("messageId") String messageId, @RestForm(CSRF_FIELD) String csrf) {
        return queueAction(csrf, () -> queueApi.discard(messageId));
    }

    /** A queue dead letter's action: done, this page again (303); refused, this page saying why. */
    private Response queueAction(String csrf, Supplier<Response> action) {
        if (!access.acceptsForm(csrf)) {
            return ConsoleErrors.staleForm(access.viewer());
        }
        Response answer = action.get();
        return answer.getStatus() == 200 ? ConsoleErrors.seeOther("/console/dead-letters#queue")
                : render(answer.getStatus(), ConsoleErrors.errorOf(answer));
    }

    private Response render(int status, String problem) {
        TemplateInstance html = Templates.deadLetters(access.viewer(), api.list(), queueDeadLetters.queueName(),
                queueDeadLetters.available(), queueDeadLetters.list(), problem);
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(html).build();
    }
}
