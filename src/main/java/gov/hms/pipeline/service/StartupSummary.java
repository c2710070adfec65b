package gov.hms.pipeline.service;

import gov.hms.pipeline.broker.BrokerConnectionFactory;
import gov.hms.pipeline.config.PipelineConfig;
import gov.hms.pipeline.ledger.LedgerDatabase;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one start-up line that tells an operator which settings won, after {@code config/application.properties},
 * {@code -D} options and environment variables were all applied:
 * <pre>
 * start-up: policy-deployment-pipeline 0.6.0-SNAPSHOT, http port 8080, data folder /srv/pipeline/data,
 *   database h2 jdbc:h2:file:./data/ledger/ledger, broker embedded tcp://127.0.0.1:61616 (queue policies.approved),
 *   targets registry=http://localhost:8080/registry/packages, subscribers events=http://localhost:8080/registry/events
 * </pre>
 * (one line in the log). URLs are shown without user information, query or fragment, which may hold
 * credentials; passwords are never read here. The data folder is the deepest folder that holds every
 * store of the service (audit log, inbox, broker journal, registry, the embedded ledger database); when
 * they share none but the file system root, each is named. The database is the deployment ledger's
 * (docs/ledger.md): its kind and JDBC URL without parameters.
 */
@ApplicationScoped
public class StartupSummary {

    /** What the line starts with, for whoever searches the log for it. */
    public static final String PREFIX = "start-up: ";

    private final PipelineConfig config;
    private final LedgerDatabase database;
    private final String name;
    private final String version;
    private final int httpPort;
    private final Optional<Integer> httpsPort;

    public StartupSummary(PipelineConfig config, LedgerDatabase database,
                          @ConfigProperty(name = "quarkus.application.name") String name,
                          @ConfigProperty(name = "quarkus.application.version") String version,
                          @ConfigProperty(name = "quarkus.http.port") int httpPort,
                          @ConfigProperty(name = "quarkus.http.ssl.certificate.key-store-file") Optional<String> keyStore,
                          @ConfigProperty(name = "quarkus.http.ssl-port", defaultValue = "8443") int sslPort) {
        this.config = config;
        this.database = database;
        this.name = name;
        this.version = version;
        this.httpPort = httpPort;
        this.httpsPort = keyStore.map(file -> sslPort);
    }

    // Last of the start-up observers, so the line comes after the stores announced themselves.
    void announce(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER + 900) StartupEvent started) {
        Log.info(line());
    }

    /** The start-up line, {@value #PREFIX} first. */
    public String line() {
        String ports = "http port " + httpPort + httpsPort.map(port -> ", https port " + port).orElse("");
        String broker = (config.broker().embedded() ? "embedded " : "external ")
                + BrokerConnectionFactory.displayUrl(config.broker().url()) + " (queue " + config.queue().name() + ")";
        return PREFIX + name + " " + version + ", " + ports + ", data folder " + dataFolder(stores())
                + ", database " + database.kind() + " " + database.url() + ", broker " + broker
                + ", targets " + endpoints(config.targets(), PipelineConfig.Target::enabled, PipelineConfig.Target::url)
                + ", subscribers " + endpoints(config.subscribers(), PipelineConfig.Subscriber::enabled,
                        PipelineConfig.Subscriber::url);
    }

    /** Every folder the service writes its state to. */
    private List<Path> stores() {
        List<Path> stores = new ArrayList<>(List.of(
                parentOf(config.audit().file()),
                config.registry().dir()));
        database.embeddedFolder().ifPresent(stores::add);
        if (config.inbox().enabled()) {
            stores.add(config.inbox().dir());
        }
        if (config.broker().embedded()) {
            stores.add(config.broker().dataDir());
        }
        return stores;
    }

    private static Path parentOf(Path file) {
        return file.toAbsolutePath().getParent();
    }

    /**
     * The deepest folder that holds all of {@code folders} (absolute, normalized), or, when that is only
     * the file system root, the folders themselves, comma-separated in brackets.
     */
    static String dataFolder(Collection<Path> folders) {
        List<Path> absolute = folders.stream().map(p -> p.toAbsolutePath().normalize()).distinct().sorted().toList();
        Path common = absolute.get(0);
        for (Path folder : absolute) {
            while (common != null && !folder.startsWith(common)) {
                common = common.getParent();
            }
        }
        if (common == null || common.getParent() == null) {
            return absolute.stream().map(Path::toString).collect(Collectors.joining(", ", "[", "]"));
        }
        return common.toString();
    }

    /** {@code name=url} of each enabled entry in name order, disabled ones as {@code name (disabled)}; {@code none} when empty. */
    static <T> String endpoints(Map<String, T> byName, Predicate<T> enabled, Function<T, String> url) {
        if (byName.isEmpty()) {
            return "none";
        }
        return new TreeMap<>(byName).entrySet().stream()
                .map(e -> enabled.test(e.getValue())
                        ? e.getKey() + "=" + withoutCredentials(url.apply(e.getValue()))
                        : e.getKey() + " (disabled)")
                .collect(Collectors.joining(" "));
    }

    /** The URL without user information, query or fragment (any of which may carry a secret). */
    static String withoutCredentials(String url) {
        String shown = BrokerConnectionFactory.displayUrl(url);
        int fragment = shown.indexOf('#');
        return fragment < 0 ? shown : shown.substring(0, fragment);
    }
}
