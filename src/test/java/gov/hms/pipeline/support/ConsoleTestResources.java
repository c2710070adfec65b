package gov.hms.pipeline.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The console's world: security on ({@link SecuredTestResources}: submitter, operator and reader,
 * passwords {@code <user>-test}), and two live targets: the WireMock target {@code live} and the
 * service's own reference registry ({@code registry}, reached as the user {@code pipeline} with the
 * role {@code registry}, as in the shipped configuration). The service listens on a free port
 * chosen here, so the registry target's URL can name it. A queue message whose deployment fails
 * is dead-lettered at once ({@code pipeline.queue.max-redeliveries=0}).
 */
public class ConsoleTestResources extends SecuredTestResources {

    /** The reference registry's user, as in config/application.properties but with a test password. */
    public static final String REGISTRY_PASSWORD = "registry-secret-4711";

    private static int port;

    @Override
    protected Map<String, String> extraConfig(Path dataDir) {
        Map<String, String> config = new HashMap<>(super.extraConfig(dataDir));
        port = freePort();
        config.put("quarkus.http.test-port", Integer.toString(port));
        config.put("pipeline.targets.registry.enabled", "true");
        config.put("pipeline.targets.registry.url", baseUrl() + "/registry/packages");
        config.put("pipeline.targets.registry.auth-username", "pipeline");
        config.put("pipeline.targets.registry.auth-password", REGISTRY_PASSWORD);
        config.put("quarkus.security.users.embedded.users.pipeline", digest("pipeline", REGISTRY_PASSWORD));
        config.put("quarkus.security.users.embedded.roles.pipeline", "registry");
        config.put("pipeline.registry.dir", dataDir.resolve("registry").toString());
        // A message whose deployment fails goes to the queue's dead-letter queue at once.
        config.put("pipeline.queue.max-redeliveries", "0");
        return config;
    }

    /** {@code http://127.0.0.1:<port>} of the service under test. */
    public static String baseUrl() {
        return "http://127.0.0.1:" + port;
    }
}
