package gov.hms.pipeline.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.hms.pipeline.support.PackagedService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, case 6: the packaged service started under the C locale (no UTF-8 file-name encoding)
 * with the inbox on. It cannot name non-ASCII inbox files, so it says so at once and visibly:
 * readiness DOWN naming the cause, a metric, one ERROR line.
 */
class FileNameEncodingIT {

    private final ObjectMapper mapper = new ObjectMapper();
    private PackagedService service;

    @AfterEach
    void stop() throws InterruptedException {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void startedWithoutAUtf8LocaleTheServiceIsNotReadyAndSaysWhy() throws Exception {
        Path home = Files.createTempDirectory("pipeline-c-locale-");
        Files.createDirectories(home.resolve("data/inbox"));
        Files.writeString(home.resolve("data/inbox/politique-été.json"), "{}", StandardCharsets.UTF_8);
        service = new PackagedService(home);
        Path log = home.resolve("service.log");
        service.start(log, Map.of("LC_ALL", "C", "LANG", "C"), "-Dpipeline.inbox.dir=data/inbox");

        JsonNode ready = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> mapper.readTree(service.get("/q/health/ready").body()), body -> body.has("checks")
                        && body.path("checks").findValues("name").stream().anyMatch(n -> n.asText().equals("file-names")));
        JsonNode check = null;
        for (JsonNode candidate : ready.path("checks")) {
            if (candidate.path("name").asText().equals("file-names")) {
                check = candidate;
            }
        }
        assertThat(ready.path("status").asText()).isEqualTo("DOWN");
        assertThat(check.path("status").asText()).isEqualTo("DOWN");
        assertThat(check.at("/data/problem").asText()).contains("UTF-8").contains("LC_ALL=C.UTF-8");
        assertThat(service.get("/q/metrics").body()).contains("pipeline_file_names_unreadable 1.0");
        assertThat(Files.readAllLines(log)).filteredOn(line -> line.contains(" ERROR ")
                && line.contains("the JVM cannot encode file names as UTF-8")).as("one ERROR line").hasSize(1);
    }
}
