package gov.hms.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gov.hms.pipeline.support.PipelineTestResources;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A newcomer's first hour, on the packaged jar (run by failsafe after {@code package}), read from README.md
 * itself so that the README cannot drift from what works:
 * <ol>
 * <li>the service is started with the command of README's "Run it" (the line with {@code -jar}), in a fresh
 * working directory that holds what a clone holds ({@code config/}, {@code samples/}, the wrapper, the pom,
 * and the built {@code target/}); the only change is the ports: every {@code 8080} and {@code 61616} of
 * the README becomes a free port, in the start command and in every command after it alike;</li>
 * <li>its start-up log has no WARN or ERROR line but the ones the service writes on purpose, and one
 * start-up line naming port, data folder, database, broker and targets;</li>
 * <li>every {@code bash} block of "Quick start" and "Three more ways in" is run as written, in order, each
 * command's output checked: HTTP deployment, registry, events, audit tail, the refused policy, the inbox
 * (with its {@code .result.json}), the Java queue sender through the Maven wrapper and the Python one
 * (with the interpreter that has Qpid Proton, as the README says; skipped where none has it);</li>
 * <li>Swagger UI and {@code /} answer in production;</li>
 * <li>a setting written after {@code -jar} stops the start with the command that works.</li>
 * </ol>
 * One service process serves all of it. Its log and working directory stay under {@code target/first-contact}
 * for a look after a failed run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FirstContactIT {

    private static final Duration START = Duration.ofMinutes(2);
    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path README = PROJECT.resolve("README.md");

    /** WARN lines the service writes on purpose at a first start: a new audit checkpoint key to hand to auditors. */
    private static final List<Pattern> INTENDED_WARNINGS = List.of(
            Pattern.compile("WARN .*audit checkpoints: generated a new Ed25519 signing key"));

    private static Path home;
    private static Path log;
    private static int httpPort;
    private static int brokerPort;
    private static Process service;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startAsTheReadmeSays() throws Exception {
        httpPort = PipelineTestResources.freePort();
        brokerPort = PipelineTestResources.freePort();
        home = PROJECT.resolve("target/first-contact");
        deleteRecursively(home);
        Files.createDirectories(home);
        // What a clone holds; config/ is copied (the service reads it), the rest is linked.
        copyFolder(PROJECT.resolve("config"), home.resolve("config"));
        for (String name : List.of("samples", "target", "tools", "pom.xml", "mvnw", ".mvn")) {
            Files.createSymbolicLink(home.resolve(name), PROJECT.resolve(name));
        }
        log = home.resolve("service.log");

        String run = commandsOf("Run it").stream().filter(c -> c.contains(" -jar ")).findFirst().orElseThrow();
        assertThat(run).as("README's run command").contains("-Dquarkus.http.port=" + httpPort).contains("-Xmx")
                .matches(".* -D[^ ]+ .*-jar target/quarkus-app/quarkus-run.jar$");
        // env runs the command in this same process (exec), the LC_ALL=… assignment included, so stopping it stops java.
        ProcessBuilder builder = shell("exec env " + run).redirectErrorStream(true).redirectOutput(log.toFile());
        service = builder.start();
        await().atMost(START).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(service.isAlive()).as("the service is running; its log: " + log).isTrue();
            return ready();
        });
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (service != null && service.isAlive()) {
            service.destroy();                                       // SIGTERM: graceful stop
            if (!service.waitFor(60, TimeUnit.SECONDS)) {
                service.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    @Order(1)
    void theStartUpLogHasNoWarningButTheIntendedOnesAndOneLineWithTheEffectiveSettings() throws IOException {
        List<String> startUp = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            startUp.add(line);
            if (line.contains("[io.quarkus]") && line.contains(" started in ")) {
                break;
            }
        }
        assertThat(startUp).filteredOn(line -> line.matches("^\\S+ (WARN|ERROR) .*"))
                .as("WARN or ERROR lines at start-up that the service does not write on purpose (" + log + ")")
                .allMatch(line -> INTENDED_WARNINGS.stream().anyMatch(p -> p.matcher(line).find()));

        List<String> summary = startUp.stream().filter(line -> line.contains("start-up: ")).toList();
        assertThat(summary).hasSize(1);
        String version = System.getProperty("project.version.under.test");
        assertThat(summary.get(0))
                .contains("start-up: policy-deployment-pipeline " + version + ", http port " + httpPort + ", ")
                .contains(", data folder " + home.toRealPath().resolve("data") + ", ")
                .contains(", database h2 jdbc:h2:file:./data/ledger/ledger, broker embedded tcp://127.0.0.1:" + brokerPort + " (queue policies.approved), ")
                .contains("targets registry=http://localhost:" + httpPort + "/registry/packages")
                .contains("subscribers events=http://localhost:" + httpPort + "/registry/events")
                .doesNotContain("pipeline-demo");
        assertThat(startUp).filteredOn(line -> line.contains("[io.quarkus]") && line.contains(" started in "))
                .singleElement().asString().contains(version);
    }

    @Test
    @Order(2)
    void everyQuickStartCommandWorksAsWritten() throws Exception {
        List<String> commands = new ArrayList<>(commandsOf("Quick start"));
        commands.addAll(commandsOf("Three more ways in"));
        assertThat(commands).as("quick-start commands").hasSizeGreaterThanOrEqualTo(8);
        for (String command : commands) {
            if (command.startsWith("ls data/inbox/.done")) {
                // "once deployed": the inbox waits for the file to stay unchanged first.
                await().atMost(START).until(() -> run(command).output().contains(".result.json"));
                assertThat(run(command).output()).containsPattern("flu\\.\\d{8}T\\d{9}Z\\.json\\b");
                continue;
            }
            if (command.startsWith("python3 ")) {
                runPythonSender(command);
                continue;
            }
            Result result = run(command);
            assertThat(result.status()).as(command + "\n" + result.output()).isZero();
            assertExpectedOutput(command, result.output());
        }
    }

    @Test
    @Order(3)
    void swaggerUiAndTheIndexAnswerInProduction() throws Exception {
        HttpResponse<String> ui = get("/q/swagger-ui/");
        assertThat(ui.statusCode()).isEqualTo(200);
        assertThat(ui.body()).contains("swagger-ui");
        HttpResponse<String> index = get("/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("\"swaggerUi\":\"/q/swagger-ui\"").contains("\"openapi\":\"/q/openapi\"")
                .contains("\"health\":\"/q/health\"");
        assertThat(get("/q/openapi").body()).contains("version: " + System.getProperty("project.version.under.test"));
        // Production security: the API still asks for credentials.
        assertThat(get("/api/audit").statusCode()).isEqualTo(401);
    }

    @Test
    @Order(4)
    void aSettingAfterTheJarStopsTheStartWithTheCommandThatWorks() throws Exception {
        int port = PipelineTestResources.freePort();
        Path refusedLog = home.resolve("refused.log");
        // Its own working folder: the service started above holds this folder's embedded ledger database.
        Path elsewhere = Files.createTempDirectory(home, "refused-");
        Process refused = shell("exec java -Dpipeline.broker.url=tcp://127.0.0.1:" + PipelineTestResources.freePort()
                + " -jar " + home.resolve("target/quarkus-app/quarkus-run.jar") + " -Dquarkus.http.port=" + port)
                .directory(elsewhere.toFile())
                .redirectErrorStream(true).redirectOutput(refusedLog.toFile()).start();
        assertThat(refused.waitFor(2, TimeUnit.MINUTES)).as("the refused start ends by itself").isTrue();
        assertThat(refused.exitValue()).isNotZero();
        String output = Files.readString(refusedLog);
        assertThat(output).contains("it takes no arguments after -jar")
                .contains("-Dquarkus.http.port=" + port + " -jar " + home.resolve("target/quarkus-app/quarkus-run.jar"))
                .doesNotContain("Listening on");
    }

    /** The Python sender as README says: the python3 first on PATH, else Debian's, whichever has Qpid Proton. */
    private void runPythonSender(String command) throws Exception {
        for (String python : List.of("python3", "/usr/bin/python3")) {
            if (run(python + " -c 'import proton'").status() != 0) {
                continue;
            }
            Result result = run(python + command.substring("python3".length()));
            assertThat(result.status()).as(command + "\n" + result.output()).isZero();
            assertThat(result.output()).contains("\"status\": \"success\"");
            return;
        }
        // Where no interpreter has it, the script says what to install instead of a stack trace.
        Result missing = run(command);
        assertThat(missing.status()).isNotZero();
        assertThat(missing.output()).contains("python3-qpid-proton").contains("python-qpid-proton");
        System.out.println("FirstContactIT: no python3 here has Qpid Proton; checked the sender's install hint only");
    }

    /** What each quick-start command must show (the README's comments say the same). */
    private static void assertExpectedOutput(String command, String output) {
        if (command.contains("--data @samples/policy-2023-vax.json")) {
            assertThat(output).contains("\"status\":\"success\"").contains("\"target\":\"registry\"");
        } else if (command.contains("--data @samples/invalid-missing-title.json")) {
            assertThat(output).contains("\"status\":\"failure\"").contains("Validation failed").contains("/title");
        } else if (command.contains("/registry/policies/")) {
            assertThat(output).contains("ETag");
        } else if (command.contains("/registry/events")) {
            assertThat(output).contains("gov.hms.policy.deployed");
        } else if (command.startsWith("tail ")) {
            assertThat(output).contains("\"step\":\"completed\"");
        } else if (command.contains("exec:java@send-policy")) {
            assertThat(output).contains("\"status\":\"success\"");
        } else if (command.contains("exec:java@deploy-over-http")) {
            assertThat(output).contains("\"status\":\"success\"");
        }
    }

    /**
     * The commands of the {@code bash} blocks in the README section whose heading starts with {@code title},
     * one per command (continued lines joined, comments dropped), ports replaced by this run's.
     */
    private static List<String> commandsOf(String title) throws IOException {
        String readme = Files.readString(README);
        Matcher section = Pattern.compile("(?ms)^## " + Pattern.quote(title) + "[^\n]*\n(.*?)(?=^## )").matcher(readme);
        assertThat(section.find()).as("README section " + title).isTrue();
        List<String> commands = new ArrayList<>();
        Matcher block = Pattern.compile("(?ms)^```bash\n(.*?)^```").matcher(section.group(1));
        while (block.find()) {
            StringBuilder current = new StringBuilder();
            for (String line : block.group(1).split("\n")) {
                String code = line.replaceFirst("\\s+#.*$", "").replaceFirst("^#.*$", "");
                if (code.isBlank() && current.isEmpty()) {
                    continue;
                }
                if (code.endsWith("\\")) {
                    current.append(code, 0, code.length() - 1).append(' ');
                    continue;
                }
                current.append(code.strip());
                commands.add(current.toString().replaceAll("\\s+", " ").strip()
                        .replace("8080", String.valueOf(httpPort)).replace("61616", String.valueOf(brokerPort)));
                current.setLength(0);
            }
        }
        return commands;
    }

    private record Result(int status, String output) {
    }

    private static Result run(String command) throws IOException, InterruptedException {
        Process process = shell(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(command).isTrue();
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /** {@code bash -c command} in the service's working directory, with this JVM's java first on PATH. */
    private static ProcessBuilder shell(String command) {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(home.toFile());
        Map<String, String> env = builder.environment();
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        return builder;
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean ready() throws InterruptedException {
        try {
            return get("/q/health/ready").statusCode() == 200;
        } catch (IOException notListeningYet) {
            return false;
        }
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
