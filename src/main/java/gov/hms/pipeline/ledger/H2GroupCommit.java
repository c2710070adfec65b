package gov.hms.pipeline.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.engine.Session;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.db.Store;

/**
 * Group commit for the embedded H2 ledger: a committed write returns only once it is in the
 * database file (written to the operating system, so it survives a kill -9), and concurrent
 * writers share one write of the file instead of one each.
 * <p>
 * H2's MVStore writes a whole chunk (every changed page, up to the root, and its layout map) per
 * store; with {@code WRITE_DELAY=0} that happens once per transaction and was a third of a
 * deployment's CPU (BENCHMARKS.md). Here H2 keeps its background writer (default
 * {@code WRITE_DELAY} 500 ms) and each writer, after its commit, waits for one store that began
 * after that commit: whoever finds no store running runs one for everybody waiting.
 * <p>
 * A no-op for any other database (PostgreSQL makes its own commits durable) and for an in-memory
 * or client/server H2 connection.
 */
public final class H2GroupCommit {

    private static final Map<MVStore, H2GroupCommit> BY_STORE = Collections.synchronizedMap(new WeakHashMap<>());
    private static final AtomicLong COMMITS = new AtomicLong();
    private static final AtomicLong FILE_WRITES = new AtomicLong();

    // No reference to the store here: the map's value must not keep its weak key (a closed store) alive.
    /** Stores begun and ended by this class; guarded by {@code this}. */
    private long begun;
    private long ended;
    private boolean storing;

    /**
     * Returns once everything {@code connection} committed so far is written to the database file.
     * Call it after a commit (or after an auto-commit statement that changed rows).
     *
     * @throws SQLException if the store fails (the database file cannot be written)
     */
    public static void awaitDurable(Connection connection) throws SQLException {
        MVStore store = fileStoreOf(connection);
        if (store != null) {
            COMMITS.incrementAndGet();
            BY_STORE.computeIfAbsent(store, key -> new H2GroupCommit()).awaitStore(store);
        }
    }

    /** @return commits that waited for the file since the JVM started */
    public static long commits() {
        return COMMITS.get();
    }

    /** @return writes of the database file run for them since the JVM started (commits per write: the sharing) */
    public static long fileWrites() {
        return FILE_WRITES.get();
    }

    private static MVStore fileStoreOf(Connection connection) throws SQLException {
        if (!connection.isWrapperFor(JdbcConnection.class)) {
            return null;
        }
        Session session = connection.unwrap(JdbcConnection.class).getSession();
        if (!(session instanceof SessionLocal local)) {
            return null;
        }
        Store store = local.getDatabase().getStore();
        MVStore mvStore = store == null ? null : store.getMvStore();
        return mvStore == null || mvStore.getFileStore() == null ? null : mvStore;
    }

    private void awaitStore(MVStore store) throws SQLException {
        long needed;
        synchronized (this) {
            // A store already running may have taken its snapshot before our commit: the next one covers it.
            needed = begun + 1;
        }
        boolean interrupted = false;
        try {
            while (true) {
                long mine;
                synchronized (this) {
                    if (ended >= needed) {
                        return;
                    }
                    if (storing) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            interrupted = true; // durability is not optional: wait on, and keep the interrupt
                        }
                        continue;
                    }
                    storing = true;
                    mine = ++begun;
                }
                boolean stored = false;
                try {
                    // Outside the monitor: later writers queue up for the next store meanwhile.
                    store.commit();
                    FILE_WRITES.incrementAndGet();
                    stored = true;
                } catch (RuntimeException e) {
                    throw new SQLException("the ledger's database file could not be written: " + e.getMessage(), e);
                } finally {
                    synchronized (this) {
                        storing = false;
                        if (stored) {
                            ended = mine;
                        }
                        notifyAll();
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
