package gov.hms.pipeline.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The readiness check against the encodings a JVM reports for UTF-8 and for the C/POSIX locale. */
class FileNameEncodingCheckTest {

    @Test
    void aCLocaleJvmIsNotReadyAndSaysHowToStartIt() {
        HealthCheckResponse response = new FileNameEncodingCheck("ANSI_X3.4-1968", true).call();
        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(response.getData().orElseThrow().get("problem").toString())
                .contains("sun.jnu.encoding=ANSI_X3.4-1968").contains("LC_ALL=C.UTF-8");
    }

    @Test
    void aUtf8JvmOrADisabledInboxIsReady() {
        assertThat(new FileNameEncodingCheck("UTF-8", true).call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(new FileNameEncodingCheck("ANSI_X3.4-1968", false).call().getStatus())
                .isEqualTo(HealthCheckResponse.Status.UP);
    }
}
