package gov.hms.pipeline.health;

import gov.hms.pipeline.audit.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: the audit log can be appended to. Every deployment must end with an audit record
 * before its caller is answered, so a service that cannot write it must not take work.
 */
@Readiness
@ApplicationScoped
public class AuditLogWritableCheck implements HealthCheck {

    private final AuditLog auditLog;

    public AuditLogWritableCheck(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    @Override
    public HealthCheckResponse call() {
        Path file = auditLog.file().toAbsolutePath();
        Path folder = file.getParent();
        boolean writable = Files.exists(file) ? Files.isWritable(file) && Files.isWritable(folder)
                : folder != null && (Files.isDirectory(folder) ? Files.isWritable(folder) : canCreate(folder));
        return HealthCheckResponse.named("audit-log")
                .status(writable)
                .withData("file", file.toString())
                .build();
    }

    /** A folder that does not exist yet is fine if its nearest existing ancestor is writable. */
    private static boolean canCreate(Path folder) {
        Path existing = folder;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && Files.isDirectory(existing) && Files.isWritable(existing);
    }
}
