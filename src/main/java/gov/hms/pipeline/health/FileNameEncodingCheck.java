package gov.hms.pipeline.health;

import gov.hms.pipeline.config.PipelineConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: the JVM can name every inbox file. File names are bytes; the JVM decodes them with
 * {@code sun.jnu.encoding}, set from the process's locale at start ({@code LC_ALL}/{@code LANG}). Under
 * a non-UTF-8 locale (e.g. {@code C}/POSIX) a name with a non-ASCII character cannot be opened, moved
 * or even named, so such a file would stay in the inbox for ever. Rather than fail file by file
 * unseen, the service says so once: an ERROR at start, readiness DOWN (check {@code file-names}) and
 * {@code pipeline_file_names_unreadable} 1 while the inbox is enabled (docs/operations.md).
 */
@Startup
@Readiness
@ApplicationScoped
public class FileNameEncodingCheck implements HealthCheck {

    private final String encoding;
    private final boolean inboxEnabled;

    @jakarta.inject.Inject
    public FileNameEncodingCheck(PipelineConfig config, MeterRegistry registry) {
        this(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()), config.inbox().enabled());
        registry.find("pipeline.file.names.unreadable").meters().forEach(registry::remove);
        Gauge.builder("pipeline.file.names.unreadable", this, check -> check.problem() == null ? 0 : 1)
                .description("1 while the JVM cannot name non-ASCII inbox files (not started with a UTF-8 locale)")
                .register(registry);
        if (problem() != null) {
            Log.errorf("inbox: %s", problem());
        }
    }

    /** For tests: the JVM's file-name encoding as {@code sun.jnu.encoding} names it. */
    FileNameEncodingCheck(String encoding, boolean inboxEnabled) {
        this.encoding = encoding;
        this.inboxEnabled = inboxEnabled;
    }

    /** Why inbox file names cannot all be read, or {@code null} if they can. */
    String problem() {
        if (!inboxEnabled || isUtf8(encoding)) {
            return null;
        }
        return "the JVM cannot encode file names as UTF-8 (sun.jnu.encoding=" + encoding + "): inbox files with "
                + "non-ASCII names cannot be read; start the service with a UTF-8 locale, e.g. LC_ALL=C.UTF-8";
    }

    private static boolean isUtf8(String name) {
        try {
            return Charset.forName(name).equals(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public HealthCheckResponse call() {
        String problem = problem();
        var response = HealthCheckResponse.named("file-names").status(problem == null).withData("encoding", encoding);
        return problem == null ? response.build() : response.withData("problem", problem).build();
    }
}
