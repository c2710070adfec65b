package gov.hms.pipeline.console;

import static gov.hms.pipeline.console.ConsoleAccess.CSRF_FIELD;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.audit.AuditChainStatus;
import gov.hms.pipeline.broker.EmbeddedBroker;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.console.ConsoleAccess.Viewer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestForm;

/**
 * Health, {@code /console/health}: the readiness checks of {@code /q/health/ready} with each one's
 * data and reason, the audit chain's last verification and last signed checkpoint
 * ({@link AuditChainStatus}; operators may verify the whole chain now, as
 * {@code GET /api/audit/verify} does), and the work waiting: the gauges of {@code /q/metrics}
 * (inbox backlog, queue depths, dead letters), read from the same meters.
 */
@Path("/console/health")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class HealthView {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance health(Viewer viewer, boolean ready, List<Check> checks,
                Optional<AuditChainStatus.Verification> verification, Checkpoint checkpoint, List<Backlog> backlogs);
    }

    /** One readiness check: its name, whether it is up, and the data it reports (its reason when down). */
    @TemplateData
    public record Check(String name, boolean up, List<Datum> data) {
    }

    /** One key and value of a check's data. */
    @TemplateData
    public record Datum(String key, String value) {
    }

    /** The last signed checkpoint: when, how many records, the head hash, by which instance. */
    @TemplateData
    public record Checkpoint(String time, long records, String headHash, String instance) {
    }

    /** A work-waiting gauge ({@code -1}: cannot be read here). */
    @TemplateData
    public record Backlog(String label, String meter, long value) {
    }

    private final SmallRyeHealthReporter health;
    private final AuditChainStatus chainStatus;
    private final MeterRegistry meters;
    private final String queue;
    private final ConsoleAccess access;

    public HealthView(SmallRyeHealthReporter health, AuditChainStatus chainStatus, MeterRegistry meters,
            PipelineConfig config, ConsoleAccess access) {
        this.health = health;
        this.chainStatus = chainStatus;
        this.meters = meters;
        this.queue = config.queue().name();
        this.access = access;
    }

    @GET
    public TemplateInstance health() {
        SmallRyeHealth readiness = health.getReadiness();
        List<Check> checks = new ArrayList<>();
        for (JsonValue value : readiness.getPayload().getJsonArray("checks")) {
            JsonObject check = value.asJsonObject();
            List<Datum> data = new ArrayList<>();
            JsonObject details = check.getJsonObject("data");
            if (details != null) {
                for (Map.Entry<String, JsonValue> entry : details.entrySet()) {
                    JsonValue v = entry.getValue();
                    data.add(new Datum(entry.getKey(), v instanceof JsonString s ? s.getString() : v.toString()));
                }
            }
            checks.add(new Check(check.getString("name"), "UP".equals(check.getString("status")), data));
        }
        Checkpoint checkpoint = chainStatus.lastCheckpoint().map(HealthView::checkpointOf).orElse(null);
        String deadLetterQueue = EmbeddedBroker.deadLetterQueue(queue);
        List<Backlog> backlogs = List.of(
                new Backlog("Inbox backlog (files waiting)", "pipeline_inbox_backlog", gauge("pipeline.inbox.backlog", null)),
                new Backlog("Queue depth " + queue, "pipeline_queue_depth", gauge("pipeline.queue.depth", queue)),
                new Backlog("Queue depth " + deadLetterQueue, "pipeline_queue_depth", gauge("pipeline.queue.depth", deadLetterQueue)),
                new Backlog("Dead letters", "pipeline_dead_letters", gauge("pipeline.dead.letters", null)));
        return Templates.health(access.viewer(), !readiness.isDown(), checks, chainStatus.lastVerification(), checkpoint,
                backlogs);
    }

    @POST
    @Path("/verify")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response verify(@RestForm(CSRF_FIELD) String csrf) {
        Viewer viewer = access.viewer();
        if (!access.acceptsForm(csrf)) {
            return ConsoleErrors.staleForm(viewer);
        }
        chainStatus.verify(viewer.name());
        return ConsoleErrors.seeOther("/console/health#audit");
    }

    private long gauge(String name, String queueTag) {
        var search = meters.find(name);
        Gauge gauge = (queueTag == null ? search : search.tag("queue", queueTag)).gauge();
        return gauge == null ? -1 : (long) gauge.value();
    }

    private static Checkpoint checkpointOf(JsonNode line) {
        return new Checkpoint(line.path("time").asText(), line.path("records").asLong(), line.path("headHash").asText(),
                line.path("instance").asText());
    }
}
