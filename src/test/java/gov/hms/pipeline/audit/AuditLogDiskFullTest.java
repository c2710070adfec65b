package gov.hms.pipeline.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import gov.hms.pipeline.support.AuditLogReader;
import gov.hms.pipeline.support.IndependentAuditCheck;
import gov.hms.pipeline.support.SmallAuditVolume;
import gov.hms.pipeline.support.StubPipelineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer on a real 1 MiB tmpfs that fills up mid-record, with the free-space floor off (the
 * worst case: writes fail half-way). Each retry must not leave a set-aside file behind, and the
 * log resumes by itself with one record once space returns.
 */
class AuditLogDiskFullTest {

    @TempDir
    Path folder;

    private SmallAuditVolume volume;

    @AfterEach
    void unmount() {
        if (volume != null) {
            volume.unmount();
        }
    }

    @Test
    void writesThatFailHalfWayLeaveFewSetAsideFilesAndTheLogResumesWithOneRecord() throws Exception {
        volume = SmallAuditVolume.mount(folder.resolve("volume"), "1m");
        Assumptions.assumeTrue(volume.mounted(), SmallAuditVolume.SKIP_MESSAGE);
        Path file = volume.dir().resolve("audit.jsonl");
        AuditLog log = new AuditLog(new StubPipelineConfig().auditFile(file).minFreeSpace(0)
                .auditOptions("none", "always", "100000"));
        log.append(AuditLogTest.record("before", AuditStep.COMPLETED));
        Path filler = volume.dir().resolve("filler.bin");
        volume.fill(filler);

        // The active file's last page may still take a few records: write until the first refusal.
        int written = 0;
        while (written < 100 && appended(log, "fits-" + written)) {
            written++;
        }
        assertThat(written).as("records that still fitted").isLessThan(100);
        for (int i = 0; i < 200; i++) {
            String id = "full-" + i;
            assertThatThrownBy(() -> log.append(AuditLogTest.record(id, AuditStep.COMPLETED)))
                    .isInstanceOf(AuditLogUnavailableException.class).hasMessageContaining("audit");
        }
        assertThat(log.problem()).contains("cannot be written");
        try (Stream<Path> files = Files.list(volume.dir())) {
            assertThat(files.filter(f -> f.getFileName().toString().contains(".torn-"))).hasSizeLessThan(10);
        }

        Files.delete(filler);
        log.append(AuditLogTest.record("after", AuditStep.COMPLETED));
        assertThat(log.problem()).isNull();
        log.close();
        List<JsonNode> records = AuditLogReader.records(file);
        IndependentAuditCheck.assertChain(records);
        assertThat(records).extracting(r -> r.path("step").asText()).filteredOn("log-recovered"::equals).hasSize(1);
        assertThat(records.get(records.size() - 1).path("deploymentId").asText()).isEqualTo("after");
        assertThat(records.get(records.size() - 2).path("detail").asText()).contains("201 record(s) could not be written");
    }

    private static boolean appended(AuditLog log, String deploymentId) {
        try {
            log.append(AuditLogTest.record(deploymentId, AuditStep.COMPLETED));
            return true;
        } catch (AuditLogUnavailableException e) {
            return false;
        }
    }
}
