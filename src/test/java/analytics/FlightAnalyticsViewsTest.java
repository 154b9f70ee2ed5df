package analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.duckdb.DuckDbDialect;
import warehouse.duckdb.DuckDbWarehouse;
import warehouse.snowflake.SnowflakeDialect;

/** The dashboard's views, run for real on DuckDB over a few rows; Snowflake's text checked against DuckDB's. */
class FlightAnalyticsViewsTest {

    private static final TableSchema FLIGHT_STATE = FlightStateColumns.FLIGHT_STATE;
    private static final TableSchema NARROW = new TableSchema(FlightAnalyticsViews.FLIGHT_STATE,
            List.of(new Column("icao24", ColumnType.TEXT, false), new Column("velocity", ColumnType.DOUBLE, false)),
            List.of("icao24"));

    @TempDir
    Path dir;
    private DuckDbWarehouse warehouse;
    private Connection sql;

    @BeforeEach
    void open() throws Exception {
        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"), FlightAnalyticsViews::over);
        warehouse.prepare(List.of(FLIGHT_STATE));
        sql = warehouse.newReader();
        execute("INSERT INTO flight_state VALUES"
                + " ('a00001', 'DLH1', 'Germany', 8.5, 50.0, 10500, false, 240.0, 90, '1000'),"
                + " ('a00002', 'DLH2', 'Germany', 9.0, 51.0, 3200, false, 150.0, 180, '7700'),"
                + " ('a00003', 'AFR3', 'France', 2.3, 48.8, 10900, false, 260.0, 270, '7500'),"
                + " ('a00004', 'AFR4', 'France', 2.5, 49.0, NULL, true, 0.0, NULL, NULL)");
        execute("INSERT INTO flight_state_history (_op, _lsn, _source_ts, _loaded_at, _kafka_topic, _kafka_partition,"
                + " _kafka_offset, icao24, latitude, longitude, baro_altitude)"
                + " VALUES ('c', 1, now() - INTERVAL 90 SECOND, now(), 't', 0, 0, 'a00001', 49.9, 8.4, 10000),"
                + " ('u', 2, now() - INTERVAL 30 SECOND, now(), 't', 0, 1, 'a00001', 50.0, 8.5, 10500),"
                + " ('d', 3, now() - INTERVAL 20 SECOND, now(), 't', 0, 2, 'a00009', 40.0, 1.0, 900)");
    }

    @AfterEach
    void close() throws Exception {
        sql.close();
        warehouse.close();
    }

    @Test
    void airborneAircraftAreCountedByCountryAndAltitudeBand() throws Exception {
        assertThat(rows("SELECT origin_country, aircraft FROM airborne_by_country ORDER BY 1"))
                .containsExactly("France|1", "Germany|2");
        assertThat(rows("SELECT band_from_m, aircraft FROM altitude_bands ORDER BY 1"))
                .containsExactly("3000|1", "10000|2");
    }

    @Test
    void fastestAndEmergenciesComeFromTheCurrentState() throws Exception {
        assertThat(rows("SELECT icao24 FROM fastest_aircraft LIMIT 2")).containsExactly("a00003", "a00001");
        assertThat(rows("SELECT icao24, meaning FROM emergency_squawks ORDER BY 1"))
                .containsExactly("a00002|emergency", "a00003|hijacking");
    }

    @Test
    void historyGivesChangesPerMinuteFreshnessAndTracks() throws Exception {
        assertThat(rows("SELECT sum(changes) FROM changes_per_minute")).containsExactly("3");
        assertThat(Long.parseLong(rows("SELECT seconds_behind FROM data_freshness").get(0))).isBetween(19L, 25L);
        // A delete is no position of the aircraft.
        assertThat(rows("SELECT icao24, latitude FROM aircraft_tracks ORDER BY icao24, seen_at"))
                .containsExactly("a00001|49.9", "a00001|50.0");
    }

    @Test
    void everyViewIsNamedOnceAndReadWholeInItsOrder() throws Exception {
        assertThat(new FlightAnalyticsViews(new DuckDbDialect()).createStatements())
                .extracting(statement -> statement.replaceFirst("CREATE OR REPLACE VIEW \"([a-z_]+)\" AS .*", "$1"))
                .containsExactlyElementsOf(FlightAnalyticsViews.NAMES);
        for (String view : FlightAnalyticsViews.NAMES) {
            assertThat(rows(FlightAnalyticsViews.select(view))).as(view).isNotEmpty();
        }
        assertThat(rows(FlightAnalyticsViews.select("airborne_by_country")).get(0)).startsWith("Germany|2");
        assertThat(FlightAnalyticsViews.select("aircraft_tracks")).endsWith("ORDER BY icao24, seen_at");
    }

    @Test
    void snowflakeViewsAreTheSameQueriesInItsDialect() {
        List<String> views = new FlightAnalyticsViews(new SnowflakeDialect()).createStatements();
        assertThat(views).hasSize(7);
        assertThat(views.get(5)).isEqualTo("CREATE OR REPLACE VIEW \"DATA_FRESHNESS\" AS SELECT max(\"_SOURCE_TS\") AS"
                + " \"NEWEST_SOURCE_COMMIT\", DATEDIFF(second, max(\"_SOURCE_TS\"), CURRENT_TIMESTAMP()) AS"
                + " \"SECONDS_BEHIND\" FROM \"FLIGHT_STATE_HISTORY\"");
        assertThat(views.get(1)).isEqualTo("CREATE OR REPLACE VIEW \"ALTITUDE_BANDS\" AS SELECT"
                + " CAST(floor(\"BARO_ALTITUDE\" / 1000) * 1000 AS INTEGER) AS \"BAND_FROM_M\", count(*) AS \"AIRCRAFT\""
                + " FROM \"FLIGHT_STATE\" WHERE \"ON_GROUND\" = FALSE AND \"BARO_ALTITUDE\" IS NOT NULL GROUP BY 1");
    }

    @Test
    void aTableWithoutTheColumnsGetsNoViewsAndSaysWhichAreMissing() {
        assertThat(FlightAnalyticsViews.missingColumns(NARROW)).contains("origin_country", "squawk").doesNotContain("velocity");
        assertThat(FlightAnalyticsViews.missingColumns(FLIGHT_STATE)).isEmpty();
    }

    @Test
    void aWarehouseGetsTheViewsOnlyWhenItLoadsFlightStateWithTheirColumns() {
        DuckDbDialect d = new DuckDbDialect();
        TableSchema notes = new TableSchema(new TableId("public", "notes"),
                List.of(new Column("id", ColumnType.INTEGER, false)), List.of("id"));
        assertThat(FlightAnalyticsViews.over(d, Map.of(notes.id(), notes))).isEmpty();
        assertThat(FlightAnalyticsViews.over(d, Map.of(NARROW.id(), NARROW, notes.id(), notes))).isEmpty();
        assertThat(FlightAnalyticsViews.over(d, Map.of(FLIGHT_STATE.id(), FLIGHT_STATE, notes.id(), notes)))
                .isEqualTo(new FlightAnalyticsViews(d).createStatements());
    }

    private void execute(String statement) throws Exception {
        try (Statement s = sql.createStatement()) {
            s.execute(statement);
        }
    }

    private List<String> rows(String query) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Statement s = sql.createStatement(); ResultSet rs = s.executeQuery(query)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    values.add(rs.getString(i));
                }
                rows.add(String.join("|", values));
            }
        }
        return rows;
    }
}
