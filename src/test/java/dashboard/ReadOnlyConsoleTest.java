package dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import analytics.FlightAnalyticsViews;
import analytics.FlightStateColumns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import warehouse.TableSchema;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * The console against a DuckDB warehouse as the pipeline prepares it, through the reader the dashboard uses: it runs
 * SELECTs, refuses every kind of write by name, reads no file, cuts long results and says so, cancels what runs too
 * long, and writes CSV; the warehouse stays writable for the loader all along.
 */
class ReadOnlyConsoleTest {

    private static final TableSchema FLIGHT_STATE = FlightStateColumns.FLIGHT_STATE;

    @TempDir
    Path dir;
    private DuckDbWarehouse warehouse;
    private ReadOnlyConsole console;

    @BeforeEach
    void open() throws Exception {
        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"), FlightAnalyticsViews::over);
        warehouse.prepare(List.of(FLIGHT_STATE));
        write("INSERT INTO flight_state VALUES ('a00001', 'DLH1, \"X\"', 'Germany', 8.5, 50.0, 10500, false, 240.0, 90, '1000'),"
                + " ('a00002', 'AFR2', 'France', 2.3, 48.8, 10900, false, 260.0, 270, '7700')");
        console = new ReadOnlyConsole(new DuckDbReader(warehouse, dir.resolve("w.duckdb")), Duration.ofMillis(500), 5);
    }

    @AfterEach
    void close() throws Exception {
        console.close();
        warehouse.close();
    }

    @Test
    void aSelectComesBackAsTheWarehouseRendersEachValue() {
        ReadOnlyConsole.Result result = console.query("SELECT icao24, velocity, on_ground, NULL AS nothing FROM flight_state ORDER BY 1");
        assertThat(result.columns()).extracting(ReadOnlyConsole.ResultColumn::name).containsExactly("icao24", "velocity", "on_ground", "nothing");
        assertThat(result.columns()).extracting(ReadOnlyConsole.ResultColumn::numeric).containsExactly(false, true, false, false);
        assertThat(result.rows()).containsExactly(Arrays.asList("a00001", "240.0", "false", null),
                Arrays.asList("a00002", "260.0", "false", null));
        assertThat(result.truncated()).isFalse();
        assertThat(console.query(FlightAnalyticsViews.select("emergency_squawks")).rows()).hasSize(1);
        assertThat(console.query("DESCRIBE flight_state").rows()).extracting(row -> row.get(0)).startsWith("icao24", "callsign");
        assertThat(console.query("WITH c AS (FROM flight_state) SELECT count(*) FROM c").rows()).containsExactly(List.of("2"));
    }

    @Test
    void everyKindOfWriteIsRefusedBeforeItRunsAndTheTablesAreAsTheyWere() throws Exception {
        for (String write : List.of(
                "INSERT INTO flight_state (icao24) VALUES ('evil01')",
                "UPDATE flight_state SET squawk = '0000'",
                "DELETE FROM flight_state",
                "DROP TABLE flight_state",
                "CREATE TABLE evil (x INTEGER)",
                "SELECT 1; DROP TABLE flight_state",
                "COPY flight_state TO '" + dir.resolve("out.csv") + "'",
                "ATTACH '" + dir.resolve("other.duckdb") + "' AS other",
                "PRAGMA version",
                "SET threads = 1",
                "CHECKPOINT",
                "EXPLAIN SELECT 1")) {
            assertThatThrownBy(() -> console.query(write)).as(write).isInstanceOfSatisfying(ConsoleException.class, e -> {
                assertThat(e.reason()).isEqualTo(ConsoleException.Reason.REFUSED);
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.getMessage()).startsWith("The console only reads");
            });
        }
        assertThat(rows("SELECT count(*) FROM flight_state WHERE squawk IN ('1000', '7700')")).isEqualTo(2);
        assertThat(dir.resolve("out.csv")).doesNotExist();
        assertThat(dir.resolve("other.duckdb")).doesNotExist();
    }

    @Test
    void aSelectReadsNoFileAndTheLoaderStillWrites() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.csv"), "password\nhunter2\n");
        assertThatThrownBy(() -> console.query("SELECT * FROM read_csv('" + secret + "')"))
                .isInstanceOfSatisfying(ConsoleException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ConsoleException.Reason.FAILED);
                    assertThat(e.getMessage()).contains("file system operations are disabled").doesNotContain("hunter2");
                });
        // External access is off for the whole database now; the loader reads no files and writes as before.
        write("INSERT INTO flight_state (icao24) VALUES ('a00003')");
        assertThat(rows("SELECT count(*) FROM flight_state")).isEqualTo(3);
    }

    @Test
    void whatTheWarehouseCannotRunSaysWhy() {
        assertThatThrownBy(() -> console.query("SELEC 1")).isInstanceOfSatisfying(ConsoleException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConsoleException.Reason.FAILED);
            assertThat(e.getMessage()).contains("syntax error at or near \"SELEC\"");
        });
        assertThatThrownBy(() -> console.query("SELECT * FROM nowhere")).isInstanceOfSatisfying(ConsoleException.class, e ->
                assertThat(e.getMessage()).contains("nowhere"));
        assertThatThrownBy(() -> console.query("  ")).isInstanceOfSatisfying(ConsoleException.class, e ->
                assertThat(e.getMessage()).isEqualTo("There is no query to run"));
    }

    @Test
    void aLongResultIsCutAndSaysSo() {
        ReadOnlyConsole.Result cut = console.query("SELECT * FROM range(10)");
        assertThat(cut.rows()).hasSize(5);
        assertThat(cut.truncated()).isTrue();
        assertThat(cut.maxRows()).isEqualTo(5);
        assertThat(console.query("SELECT * FROM range(5)").truncated()).isFalse();
    }

    @Test
    void aQueryRunningLongerThanTheTimeoutIsCancelledAndTheNextOneRuns() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> console.query("SELECT count(*) FROM range(1000000000) a, range(1000000000) b"))
                .isInstanceOfSatisfying(ConsoleException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ConsoleException.Reason.CANCELLED);
                    assertThat(e.status()).isEqualTo(504);
                    assertThat(e.getMessage()).contains("longer than 500 ms (flightcdc.http.query-timeout-ms)");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(5));
        assertThat(console.query("SELECT 42").rows()).containsExactly(List.of("42"));
    }

    @Test
    void csvHasAHeaderAndQuotesWhatNeedsIt() {
        assertThat(console.csv("SELECT icao24, callsign, velocity FROM flight_state ORDER BY icao24")).isEqualTo(
                "icao24,callsign,velocity\na00001,\"DLH1, \"\"X\"\"\",240.0\na00002,AFR2,260.0\n");
    }

    @Test
    void aWarehouseWithoutAReadOnlyTransactionHasNoConsoleAndIsNotEvenConnectedTo() {
        WarehouseReader snowflakeLike = new WarehouseReader() {
            @Override
            public Connection connect() throws SQLException {
                throw new SQLException("the console must not connect");
            }

            @Override
            public String currentState() {
                return "flight_state";
            }

            @Override
            public ConsoleFence consoleFence() {
                return ConsoleFence.unavailable(SnowflakeReader.NO_CONSOLE);
            }

            @Override
            public String description() {
                return "Snowflake";
            }

            @Override
            public void close() {
            }
        };
        try (ReadOnlyConsole off = new ReadOnlyConsole(snowflakeLike, Duration.ofSeconds(1), 10)) {
            assertThat(off.offer().unavailable()).startsWith("The SQL console is off on Snowflake");
            assertThatThrownBy(() -> off.query("SELECT 1")).isInstanceOfSatisfying(ConsoleException.class, e -> {
                assertThat(e.reason()).isEqualTo(ConsoleException.Reason.REFUSED);
                assertThat(e.getMessage()).contains("no read-only transaction");
            });
        }
        assertThat(console.offer().unavailable()).isNull();
        assertThat(console.offer().views()).extracting(ReadOnlyConsole.View::name).containsExactlyElementsOf(FlightAnalyticsViews.NAMES);
    }

    private void write(String sql) throws SQLException {
        try (Connection c = warehouse.newReader(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private long rows(String sql) throws SQLException {
        try (Connection c = warehouse.newReader(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
