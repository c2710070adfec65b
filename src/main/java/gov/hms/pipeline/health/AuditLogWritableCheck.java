package gov.hms.pipeline.health;

import gov.hms.pipeline.audit.AuditLog;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: the audit log can be appended to. Every deployment must end with an audit record
 * before its caller is answered, so a service that cannot write it must not take work: DOWN when
 * the folder or file is not writable, when free space is below {@code pipeline.audit.min-free-space},
 * or after a failed write until a record is written again ({@code data.problem} says which).
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
        String problem = problemWith(file, folder);
        if (problem == null) {
            problem = auditLog.problem();
        }
        var response = HealthCheckResponse.named("audit-log").status(problem == null).withData("file", file.toString());
        return problem == null ? response.build() : response.withData("problem", problem).build();
    }

    /** Why the log cannot be appended to, or {@code null} if it can. */
    private static String problemWith(Path file, Path folder) {
        try {
            // The log creates its folder on first write; doing it here answers the same question.
            Files.createDirectories(folder);
        } catch (IOException | RuntimeException e) {
            return "cannot create the folder: " + e.getMessage();
        }
        if (!Files.isDirectory(folder) || !Files.isWritable(folder)) {
            return "the folder is not writable";
        }
        if (Files.exists(file) && (!Files.isRegularFile(file) || !Files.isWritable(file))) {
            return "the file is not writable";
        }
        return null;
    }
}
