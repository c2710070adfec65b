package gov.hms.pipeline.metrics;

import gov.hms.pipeline.audit.AuditLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The audit writer's work, read when Prometheus scrapes {@code /q/metrics}:
 * <ul>
 * <li>{@code pipeline_audit_records_total}: records appended since start-up</li>
 * <li>{@code pipeline_audit_forces_total}: fsyncs of the log since start-up; records per force
 * shows how well the group commit shares them (docs/audit.md, "Durability")</li>
 * </ul>
 */
@Startup
@ApplicationScoped
public class AuditMeters {

    // Micrometer holds the state object weakly: this bean keeps it.
    private final AuditLog auditLog;

    public AuditMeters(MeterRegistry registry, AuditLog auditLog) {
        this.auditLog = auditLog;
        // Registering an existing name returns the existing meter, bound to its (weakly held) object:
        // after a restart in the same JVM (tests) that object is a dead AuditLog. Start afresh.
        for (String name : new String[] {"pipeline.audit.records", "pipeline.audit.forces"}) {
            registry.find(name).meters().forEach(registry::remove);
        }
        FunctionCounter.builder("pipeline.audit.records", auditLog, AuditLog::records)
                .description("Audit records appended").register(registry);
        FunctionCounter.builder("pipeline.audit.forces", auditLog, AuditLog::forces)
                .description("Forces (fsync) of the audit log").register(registry);
    }
}
