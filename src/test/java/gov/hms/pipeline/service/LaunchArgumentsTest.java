package gov.hms.pipeline.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LaunchArgumentsTest {

    private static final String JAR = "target/quarkus-app/quarkus-run.jar";

    @Test
    void noArgumentsIsNoProblem() {
        assertThat(LaunchArguments.problem(List.of(), List.of("-Xmx256m"), JAR)).isEmpty();
    }

    @Test
    void aSettingAfterTheJarIsRefusedWithTheCommandThatPutsItBefore() {
        String message = LaunchArguments.problem(List.of("-Dquarkus.http.port=8081"), List.of("-Xmx256m"), JAR).orElseThrow();
        assertThat(message).contains("did not start")
                .contains("java -Xmx256m -Dquarkus.http.port=8081 -jar target/quarkus-app/quarkus-run.jar\n");
    }

    @Test
    void doubleDashSettingsBecomeSystemPropertiesAndOddValuesAreQuotedForTheShell() {
        String message = LaunchArguments.problem(List.of("--quarkus.http.port=8081", "-Dpipeline.audit.instance=Zone A's"),
                List.of(), "/opt/my app/quarkus-run.jar").orElseThrow();
        assertThat(message).contains("java -Dquarkus.http.port=8081 '-Dpipeline.audit.instance=Zone A'\\''s'"
                + " -jar '/opt/my app/quarkus-run.jar'");
    }

    @Test
    void anythingElseIsNamedAsNotUnderstood() {
        String message = LaunchArguments.problem(List.of("--help", "8081"), List.of(), JAR).orElseThrow();
        assertThat(message).contains("Not understood: --help 8081").doesNotContain("Settings go before -jar");
    }
}
