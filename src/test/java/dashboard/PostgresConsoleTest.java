package dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console on a PostgreSQL warehouse the real loader made (LoadedPostgresWarehouse), through the reader the
 * dashboard uses, as the loader's user: it runs queries, refuses every other statement by name before it runs, runs
 * the writes a query can hide in a transaction where PostgreSQL refuses them, leaves nothing behind in its sessions,
 * cancels what runs too long, and runs nothing as a user who may reach the server's files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresConsoleTest {

    private static final String CURRENT_ROWS = "SELECT count(*) FROM flight_state";

    private LoadedPostgresWarehouse warehouse;
    private PostgresReader reader;
    private ReadOnlyConsole console;

    @BeforeAll
    void start() throws Exception {
        warehouse = LoadedPostgresWarehouse.start("console-");
        warehouse.execute("CREATE SEQUENCE evil_sequence");
        reader = new PostgresReader(warehouse.settings(), Duration.ofMillis(500));
        console = new ReadOnlyConsole(reader, Duration.ofMillis(500), 5);
    }

    @AfterAll
    void stop() throws Exception {
        console.close();
        reader.close();
        warehouse.close();
    }

    @Test
    void queriesComeBackAsThePostgresRendersEachValue() {
        ReadOnlyConsole.Result result = console.query(
                "SELECT icao24, velocity, on_ground, NULL AS nothing FROM flight_state WHERE icao24 <> '3c4b5a' ORDER BY 1");
        assertThat(result.columns()).extracting(ReadOnlyConsole.ResultColumn::name)
                .containsExactly("icao24", "velocity", "on_ground", "nothing");
        assertThat(result.columns()).extracting(ReadOnlyConsole.ResultColumn::numeric).containsExactly(false, true, false, false);
        assertThat(result.rows()).containsExactly(Arrays.asList("abc123", "231", "f", null), Arrays.asList("c0ffee", "5.1", "t", null));
        assertThat(console.query("WITH c AS (SELECT * FROM flight_state) SELECT count(*) FROM c;").rows())
                .containsExactly(List.of("3"));
        assertThat(console.query("TABLE flight_state -- every column").rows()).hasSize(3);
        assertThat(console.query("VALUES (1), (2)").rows()).containsExactly(List.of("1"), List.of("2"));
        // jsonb's ? operator, which pgjdbc would take for a parameter in a prepared statement.
        assertThat(console.query("SELECT '{\"a\": 1}'::jsonb ? 'a'").rows()).containsExactly(List.of("t"));
    }

    @Test
    void everyOtherStatementIsRefusedBeforeItRunsAndTheWarehouseIsAsItWas() throws Exception {
        for (String write : List.of(
                "INSERT INTO flight_state (icao24) VALUES ('evil01')",
                "UPDATE flight_state SET squawk = '0000'",
                "DELETE FROM flight_state",
                "TRUNCATE flight_state",
                "MERGE INTO flight_state t USING flight_state s ON t.icao24 = s.icao24 WHEN MATCHED THEN DELETE",
                "WITH gone AS (DELETE FROM flight_state RETURNING *) SELECT * FROM gone",
                "SELECT * INTO evil FROM flight_state",
                "DROP TABLE flight_state",
                "CREATE TABLE evil (x integer)",
                "ALTER TABLE flight_state ADD COLUMN evil integer",
                "COPY flight_state TO STDOUT",
                "DO $$ BEGIN DELETE FROM flight_state; END $$",
                "COMMIT",
                "SET TRANSACTION READ WRITE",
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
                "PREPARE TRANSACTION 'evil'",
                "LOCK TABLE flight_state",
                "VACUUM flight_state",
                "EXPLAIN SELECT 1",
                "SHOW search_path")) {
            assertThatThrownBy(() -> console.query(write)).as(write).isInstanceOfSatisfying(ConsoleException.class, e -> {
                assertThat(e.reason()).as(write + ": " + e.getMessage()).isEqualTo(ConsoleException.Reason.REFUSED);
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.getMessage()).isEqualTo(PostgresConsoleFence.READS_ONLY);
            });
        }
        assertThatThrownBy(() -> console.query("SELECT 1; DELETE FROM flight_state")).isInstanceOfSatisfying(
                ConsoleException.class, e -> assertThat(e.getMessage()).isEqualTo("The console runs one query at a time;"
                        + " this holds 2"));
        assertThat(warehouse.value(CURRENT_ROWS)).isEqualTo("3");
        assertThat(warehouse.value("SELECT count(*) FROM pg_class WHERE relname = 'evil'")).isEqualTo("0");
    }

    @Test
    void aWriteHiddenInAQueryIsRefusedByPostgresItself() throws Exception {
        for (String write : List.of("SELECT nextval('evil_sequence')", "SELECT * FROM flight_state FOR UPDATE")) {
            assertThatThrownBy(() -> console.query(write)).as(write).isInstanceOfSatisfying(ConsoleException.class, e -> {
                assertThat(e.reason()).isEqualTo(ConsoleException.Reason.FAILED);
                assertThat(e.getMessage()).contains("in a read-only transaction");
            });
        }
        // Describing the query to check it ran nothing either.
        assertThat(warehouse.value("SELECT is_called FROM evil_sequence")).isEqualTo("f");
    }

    @Test
    void inTheConsolesTransactionPostgresRefusesEveryWrite() throws Exception {
        ConsoleFence fence = reader.consoleFence();
        try (Connection c = reader.connect(); Statement s = c.createStatement()) {
            fence.begin(c);
            try {
                // The server's own limit, should the console's cancel get lost: a little over its 500 ms.
                try (ResultSet rs = s.executeQuery("SHOW statement_timeout")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("1500ms");
                }
                assertThatThrownBy(() -> s.execute("DELETE FROM flight_state"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("cannot execute DELETE in a read-only transaction");
            } finally {
                fence.end(c);
            }
            // And every transaction of the dashboard's sessions, its own queries' too.
            assertThatThrownBy(() -> s.execute("UPDATE flight_state SET squawk = '0000'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("cannot execute UPDATE in a read-only transaction");
        }
        assertThat(warehouse.value("SELECT count(*) FROM flight_state WHERE squawk = '0000'")).isEqualTo("0");
        assertThat(warehouse.value(CURRENT_ROWS)).isEqualTo("3");
    }

    @Test
    void anAdvisoryLockTakenByAQueryIsNotHeldAfterIt() throws Exception {
        assertThat(console.query("SELECT pg_advisory_lock(42)").rows()).hasSize(1);

        assertThat(warehouse.value("SELECT pg_try_advisory_lock(42)")).as("another session takes the lock").isEqualTo("t");
    }

    @Test
    void whatPostgresCannotRunSaysWhy() {
        assertThatThrownBy(() -> console.query("SELEC 1")).isInstanceOfSatisfying(ConsoleException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConsoleException.Reason.FAILED);
            assertThat(e.getMessage()).contains("syntax error at or near \"SELEC\"");
        });
        assertThatThrownBy(() -> console.query("SELECT * FROM nowhere")).isInstanceOfSatisfying(ConsoleException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConsoleException.Reason.FAILED);
            assertThat(e.getMessage()).contains("relation \"nowhere\" does not exist");
        });
        assertThatThrownBy(() -> console.query(";")).isInstanceOfSatisfying(ConsoleException.class, e ->
                assertThat(e.getMessage()).isEqualTo("There is no query to run"));
    }

    @Test
    void aQueryRunningLongerThanTheTimeoutIsCancelledAndTheNextOneRuns() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> console.query("SELECT pg_sleep(30)")).isInstanceOfSatisfying(ConsoleException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConsoleException.Reason.CANCELLED);
            assertThat(e.getMessage()).contains("longer than 500 ms (flightcdc.http.query-timeout-ms)");
        });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(5));
        assertThat(console.query("SELECT 42").rows()).containsExactly(List.of("42"));
    }

    @Test
    void aLongResultIsCutAndSaysSo() {
        ReadOnlyConsole.Result cut = console.query("SELECT * FROM generate_series(1, 10)");
        assertThat(cut.rows()).hasSize(5);
        assertThat(cut.truncated()).isTrue();
    }

    @Test
    void aUserWhoMayReadTheServersFilesRunsNothing() {
        try (PostgresReader superuser = new PostgresReader(warehouse.superuserSettings(), Duration.ofMillis(500));
             ReadOnlyConsole off = new ReadOnlyConsole(superuser, Duration.ofMillis(500), 5)) {
            assertThatThrownBy(() -> off.query("SELECT pg_read_file('postgresql.conf')"))
                    .isInstanceOfSatisfying(ConsoleException.class, e -> {
                        assertThat(e.reason()).isEqualTo(ConsoleException.Reason.REFUSED);
                        assertThat(e.getMessage()).startsWith("The console runs nothing as postgres, who may read the"
                                + " warehouse server's files or run programs on it");
                    });
        }
    }
}
