package gov.hms.pipeline.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-memory index answers like Camel's file look-up would, across restarts. */
class IndexedFileIdempotentRepositoryTest {

    @TempDir
    Path folder;

    private IndexedFileIdempotentRepository open(Path file, int cacheSize) {
        IndexedFileIdempotentRepository repository = new IndexedFileIdempotentRepository();
        repository.setFileStore(file.toFile());
        repository.setCacheSize(cacheSize);
        repository.setMaxFileStoreSize(0);
        repository.start();
        return repository;
    }

    @Test
    void keysEvictedFromTheCacheAreStillKnownAndSurviveARestart() throws Exception {
        Path file = folder.resolve("state/keys.txt");
        IndexedFileIdempotentRepository repository = open(file, 2);
        for (int i = 0; i < 50; i++) {
            assertThat(repository.add("key-" + i)).isTrue();
        }
        // A cache of 2 has long evicted key-0: the answer comes from the index, not a new file entry.
        assertThat(repository.contains("key-0")).isTrue();
        assertThat(repository.add("key-0")).isFalse();
        assertThat(repository.contains("key-50")).isFalse();
        repository.stop();

        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).hasSize(50).doesNotHaveDuplicates();
        IndexedFileIdempotentRepository restarted = open(file, 2);
        assertThat(restarted.indexedKeys()).isEqualTo(50);
        assertThat(restarted.contains("key-0")).isTrue();
        assertThat(restarted.contains("key-49")).isTrue();
        assertThat(restarted.contains("key-50")).isFalse();
        restarted.stop();
    }

    @Test
    void aFileWrittenByAnEarlierVersionIsReadAndRemovalsAreFollowed() throws Exception {
        Path file = folder.resolve("keys.txt");
        Files.write(file, List.of("a".repeat(64), "b".repeat(64)), StandardCharsets.UTF_8);
        IndexedFileIdempotentRepository repository = open(file, 1);
        assertThat(repository.contains("a".repeat(64))).isTrue();
        repository.remove("a".repeat(64));
        assertThat(repository.contains("a".repeat(64))).isFalse();
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).containsExactly("b".repeat(64));
        repository.clear();
        assertThat(repository.contains("b".repeat(64))).isFalse();
        repository.stop();
    }
}
