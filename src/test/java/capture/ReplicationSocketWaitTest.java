package capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;
import source.TestSource;

/**
 * The quiet stream's wait on a real replication connection: it lasts while PostgreSQL sends nothing, ends when a change
 * is sent, and leaves every byte of it for the driver's next read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplicationSocketWaitTest {

    private TestSource postgres;

    @BeforeAll
    void start() throws Exception {
        postgres = TestSource.start("socket-wait");
        try (Connection c = postgres.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE socket_wait (id int PRIMARY KEY, note text)");
            s.execute("SELECT pg_create_logical_replication_slot('socket_wait', 'test_decoding')");
        }
    }

    @AfterAll
    void stop() throws Exception {
        postgres.close();
    }

    @Test
    void aWaitLastsWhileNothingComesAndEndsWhenAChangeIsSentWhichTheNextReadGetsWhole() throws Exception {
        try (Connection replication = DriverManager.getConnection(postgres.jdbcUrl(), replicationProperties(postgres.password()));
             PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
                     .logical().withSlotName("socket_wait").withStatusInterval(1, TimeUnit.HOURS).start()) {
            var wait = new ReplicationSocketWait(() -> replication);
            assertThat(wait.endsOnData()).isTrue();
            confirmAllSent(stream);

            long quietStart = System.nanoTime();
            wait.await(1_500);
            assertThat(millisSince(quietStart)).as("nothing came: the whole wait").isGreaterThanOrEqualTo(1_400);
            assertThat(stream.readPending()).as("nothing to read after it").isNull();

            CompletableFuture<Void> insert = CompletableFuture.runAsync(() -> {
                try (Connection c = postgres.database().dataSource().getConnection(); Statement s = c.createStatement()) {
                    Thread.sleep(300);
                    s.execute("INSERT INTO socket_wait VALUES (1, 'one'), (2, 'two')");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long changeStart = System.nanoTime();
            wait.await(10_000);
            long waited = millisSince(changeStart);
            insert.join();
            assertThat(waited).as("the wait ends when the change is sent, not after 10 s").isBetween(250L, 5_000L);

            assertThat(readTransaction(stream)).containsExactly("BEGIN",
                    "table public.socket_wait: INSERT: id[integer]:1 note[text]:'one'",
                    "table public.socket_wait: INSERT: id[integer]:2 note[text]:'two'", "COMMIT");
        }
    }

    /** A connection that failed is for Debezium's next read to report: the wait neither throws nor spins. */
    @Test
    void aWaitOnAClosedConnectionIsAShortSleep() throws Exception {
        Connection replication = DriverManager.getConnection(postgres.jdbcUrl(), replicationProperties(postgres.password()));
        var wait = new ReplicationSocketWait(() -> replication);
        assertThat(wait.endsOnData()).isTrue();
        replication.close();

        long start = System.nanoTime();
        wait.await(5_000);
        assertThat(millisSince(start)).isBetween(ReplicationSocketWait.LONGEST_SLEEP_MS - 5,
                ReplicationSocketWait.LONGEST_SLEEP_MS + 1_000);
    }

    @Test
    void withoutTheDriversStreamTheWaitIsAShortSleep() throws Exception {
        var wait = new ReplicationSocketWait(() -> null);
        assertThat(wait.endsOnData()).isFalse();

        long start = System.nanoTime();
        wait.await(5_000);
        assertThat(millisSince(start)).isBetween(ReplicationSocketWait.LONGEST_SLEEP_MS - 5,
                ReplicationSocketWait.LONGEST_SLEEP_MS + 1_000);
    }

    private static Properties replicationProperties(String password) {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, "postgres");
        PGProperty.PASSWORD.set(properties, password);
        PGProperty.REPLICATION.set(properties, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        return properties;
    }

    /** Reads what is pending and confirms it, so that PostgreSQL has no reason to send a keep-alive during the waits. */
    private static void confirmAllSent(PGReplicationStream stream) throws Exception {
        for (int quiet = 0; quiet < 20; ) {
            quiet = stream.readPending() == null ? quiet + 1 : 0;
            Thread.sleep(10);
        }
        stream.setFlushedLSN(stream.getLastReceiveLSN());
        stream.setAppliedLSN(stream.getLastReceiveLSN());
        stream.forceUpdateStatus();
        Thread.sleep(200);
        while (stream.readPending() != null) {
            // A message sent before the confirmation.
        }
    }

    /** The messages of the next transaction, as test_decoding writes them, up to its COMMIT. */
    private static List<String> readTransaction(PGReplicationStream stream) throws Exception {
        List<String> messages = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && (messages.isEmpty() || !messages.get(messages.size() - 1).startsWith("COMMIT"))) {
            ByteBuffer message = stream.readPending();
            if (message == null) {
                Thread.sleep(5);
                continue;
            }
            String text = StandardCharsets.UTF_8.decode(message).toString();
            messages.add(text.replaceAll("^(BEGIN|COMMIT) \\d+$", "$1"));
        }
        return messages;
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
