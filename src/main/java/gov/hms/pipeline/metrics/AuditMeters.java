package gov.hms.pipeline.metrics;

import gov.hms.pipeline.audit.AuditLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The audit writer's work, read when Prometheus scrapes {@code /q/metrics}:
 * <ul>
 * <li>{@code pipeline_audit_records_total}: records appended since start-up</li>
 * <li>{@code pipeline_audit_forces_total}: fsyncs of the log since start-up; records per force
 * shows how well the group commit shares them (docs/audit.md, "Durability")</li>
 * <li>{@code pipeline_audit_refused_total}: records that could not be written (docs/operations.md)</li>
 * <li>{@code pipeline_audit_writable}: 1 while the log takes records, 0 while deployments are refused</li>
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
        for (String name : new String[] {"pipeline.audit.records", "pipeline.audit.forces",
                "pipeline.audit.refused", "pipeline.audit.writable"}) {
            registry.find(name).meters().forEach(registry::remove);
        }
        FunctionCounter.builder("pipeline.audit.records", auditLog, AuditLog::records)
                .description("Audit records appended").register(registry);
        FunctionCounter.builder("pipeline.audit.forces", auditLog, AuditLog::forces)
                .description("Forces (fsync) of the audit log").register(registry);
        FunctionCounter.builder("pipeline.audit.refused", auditLog, AuditLog::refused)
                .description("Audit records that could not be written (full disk, failed write)").register(registry);
        Gauge.builder("pipeline.audit.writable", auditLog, log -> log.problem() == null ? 1 : 0)
                .description("1 while the audit log can take records, 0 while deployments are refused (503)")
                .register(registry);
    }
}
