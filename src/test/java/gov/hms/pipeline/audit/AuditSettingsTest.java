package gov.hms.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gov.hms.pipeline.support.StubPipelineConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuditSettingsTest {

    private static AuditSettings parse(String rotate, String fsync, String checkpointEvery) {
        return AuditSettings.from(new StubPipelineConfig().auditOptions(rotate, fsync, checkpointEvery).audit());
    }

    @Test
    void defaultsAreNoRotationFsyncAlwaysAndACheckpointEveryHundredRecordsOrMinute() {
        assertThat(parse("none", "always", "100,1m")).isEqualTo(AuditSettings.DEFAULTS);
    }

    @Test
    void rotationIsDailyAndOrBySize() {
        assertThat(parse("daily,64M", "always", "100")).extracting(AuditSettings::rotateDaily, AuditSettings::rotateBytes)
                .containsExactly(true, 64L * 1024 * 1024);
        assertThat(parse("1G", "always", "100").rotateDaily()).isFalse();
        assertThat(parse("daily", "always", "100").rotateBytes()).isZero();
    }

    @Test
    void fsyncIsAlwaysOrAnInterval() {
        assertThat(parse("none", "always", "100").fsyncInterval()).isNull();
        assertThat(parse("none", "500ms", "100").fsyncInterval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void checkpointsByCountAndOrTime() {
        assertThat(parse("none", "always", "5m")).extracting(AuditSettings::checkpointRecords,
                AuditSettings::checkpointInterval).containsExactly(0L, Duration.ofMinutes(5));
        assertThat(parse("none", "always", "1000").checkpointInterval()).isNull();
    }

    @Test
    void nonsenseIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> parse("weekly", "always", "100")).hasMessageContaining("pipeline.audit.rotate=weekly");
        assertThatThrownBy(() -> parse("none", "sometimes", "100")).hasMessageContaining("pipeline.audit.fsync");
        assertThatThrownBy(() -> parse("none", "always", "0")).hasMessageContaining("pipeline.audit.checkpoint-every");
        assertThatThrownBy(() -> parse("none", "0s", "100")).hasMessageContaining("positive");
    }
}
