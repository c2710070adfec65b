package gov.hms.pipeline.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged jar ({@code target/quarkus-app}) as a real process in its own working folder, for
 * tests that kill, stop or start it: a free HTTP port and broker port, security and the built-in
 * reference target and subscriber off; each start appends to the given log file.
 */
public final class PackagedService implements AutoCloseable {

    private static final Duration START = Duration.ofMinutes(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Path home;
    private final int port = PipelineTestResources.freePort();
    private Process process;

    public PackagedService(Path home) {
        this.home = home;
    }

    /**
     * Starts the jar in {@code home}.
     *
     * @param environment added to the process's environment (e.g. {@code LC_ALL})
     * @param properties  further {@code -Dkey=value} arguments
     */
    public Process start(Path log, Map<String, String> environment, String... properties) throws IOException {
        String jar = System.getProperty("pipeline.jar", Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port,
                "-Dpipeline.security.enabled=false",
                "-Dpipeline.targets.registry.enabled=false",
                "-Dpipeline.subscribers.events.enabled=false",
                "-Dpipeline.broker.url=tcp://127.0.0.1:" + PipelineTestResources.freePort()));
        command.addAll(List.of(properties));
        command.addAll(List.of("-jar", jar));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
        return process;
    }

    public Process start(Path log, String... properties) throws IOException {
        return start(log, Map.of(), properties);
    }

    public Process process() {
        return process;
    }

    /** Waits up to 3 minutes for {@code /q/health/ready} to answer 200. */
    public void awaitReady() {
        await().atMost(START).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> get("/q/health/ready").statusCode() == 200);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpClient http() {
        return http;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** SIGKILL: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
