package gov.hms.pipeline.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is in the database file once a write returned: read from a copy of the file taken at that
 * moment, as a process killed then would leave it. H2's background writer is held off (a
 * {@code WRITE_DELAY} of ten minutes), so only the group commit can have written the rows.
 */
class H2GroupCommitTest {

    @TempDir
    Path folder;

    @Test
    void withoutTheGroupCommitACommittedRowIsNotYetInTheFile() throws Exception {
        try (Connection connection = open()) {
            connection.createStatement().executeUpdate("INSERT INTO item VALUES (1)");
            assertEquals(0, rowsInACopyOfTheFile(), "the premise: H2 holds auto-commits in memory");
        }
    }

    @Test
    void anAutoCommitUpdateReturnsOnlyOnceItIsInTheFile() throws Exception {
        try (Connection connection = open()) {
            Sql.update(connection, "INSERT INTO item VALUES (?)", 1);
            assertEquals(1, rowsInACopyOfTheFile());
        }
    }

    @Test
    void concurrentTransactionsAreAllInTheFileWhenTheirCommitsReturn() throws Exception {
        int writers = 16;
        int each = 25;
        try (Connection ignored = open()) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    done.add(pool.submit(() -> {
                        try (Connection connection = DriverManager.getConnection(url(), "sa", "")) {
                            for (int i = 0; i < each; i++) {
                                connection.setAutoCommit(false);
                                Sql.update(connection, "INSERT INTO item VALUES (?)", writer * 1000 + i);
                                connection.commit();
                                H2GroupCommit.awaitDurable(connection);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> future : done) {
                    future.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(writers * each, rowsInACopyOfTheFile());
        }
    }

    @Test
    void anotherDatabaseIsLeftAlone() throws Exception {
        try (Connection memory = DriverManager.getConnection("jdbc:h2:mem:group-commit", "sa", "")) {
            memory.createStatement().execute("CREATE TABLE item (id INTEGER PRIMARY KEY)");
            assertEquals(1, Sql.update(memory, "INSERT INTO item VALUES (?)", 1));
        }
    }

    private String url() {
        return "jdbc:h2:file:" + folder.resolve("ledger") + ";WRITE_DELAY=600000;DB_CLOSE_ON_EXIT=FALSE";
    }

    /** Opens the database with its table, created and stored. */
    private Connection open() throws SQLException {
        Connection connection = DriverManager.getConnection(url(), "sa", "");
        connection.createStatement().execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY)");
        connection.createStatement().execute("CHECKPOINT");
        return connection;
    }

    private int rowsInACopyOfTheFile() throws Exception {
        Path copy = Files.createDirectories(folder.resolve("copy-" + System.nanoTime()));
        Files.copy(folder.resolve("ledger.mv.db"), copy.resolve("ledger.mv.db"));
        try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + copy.resolve("ledger"), "sa", "");
                ResultSet count = connection.createStatement().executeQuery("SELECT COUNT(*) FROM item")) {
            count.next();
            return count.getInt(1);
        }
    }
}
