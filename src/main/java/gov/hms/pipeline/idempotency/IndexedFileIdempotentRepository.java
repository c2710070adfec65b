package gov.hms.pipeline.idempotency;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;

/**
 * Camel's {@link FileIdempotentRepository} (one key per line, appended) with every key of its file
 * also held in a set, so a key missing from the LRU cache is looked up in memory. Camel's own
 * look-up reads the whole file again, and a new key misses twice ({@code contains}, then
 * {@code add}), so each new policy cost two reads of a file that only grows: 40 % of the inbox's
 * CPU at 2,000 files (BENCHMARKS.md). The file stays the record. The set is rebuilt from it at
 * start-up and follows every change made through this class.
 * <p>
 * Memory: about 150 bytes per key (a 64-character SHA-256 hex string and the set's entry).
 */
final class IndexedFileIdempotentRepository extends FileIdempotentRepository {

    private final Set<String> stored = ConcurrentHashMap.newKeySet();

    @Override
    protected void loadStore() throws IOException {
        super.loadStore();
        reindex();
    }

    @Override
    protected boolean containsStore(String key) {
        return stored.contains(key);
    }

    @Override
    protected void appendToStore(String key) {
        super.appendToStore(key);
        stored.add(key);
    }

    @Override
    protected void removeFromStore(String key) {
        super.removeFromStore(key);
        stored.remove(key);
    }

    @Override
    protected void clearStore() {
        super.clearStore();
        stored.clear();
    }

    @Override
    protected void trunkStore() {
        super.trunkStore();
        try {
            reindex();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Keys held in the index (what the file held at start-up, plus what was added since). */
    int indexedKeys() {
        return stored.size();
    }

    private void reindex() throws IOException {
        stored.clear();
        Path file = getFileStore().toPath();
        if (!Files.exists(file)) {
            return;
        }
        // Camel writes keys with the platform charset (String.getBytes()); read them back the same way.
        try (Stream<String> lines = Files.lines(file, Charset.defaultCharset())) {
            lines.filter(line -> !line.isEmpty()).forEach(stored::add);
        }
    }
}
