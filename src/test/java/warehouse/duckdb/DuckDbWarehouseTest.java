package warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import warehouse.ChangeEvent;
import warehouse.ChangeEvent.Operation;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.LoadResult;
import warehouse.TableId;
import warehouse.TableSchema;

class DuckDbWarehouseTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableId TABLE = new TableId("public", "flight_state");
    private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("callsign", ColumnType.TEXT, false),
            new Column("last_contact", ColumnType.TIMESTAMPTZ, false),
            new Column("velocity", ColumnType.DOUBLE, false),
            new Column("on_ground", ColumnType.BOOLEAN, false),
            new Column("sensors", ColumnType.INTEGER, true),
            new Column("category", ColumnType.SMALLINT, false)), List.of("icao24"));

    @TempDir
    Path dir;
    private DuckDbWarehouse warehouse;
    private long offset;

    @BeforeEach
    void open() throws Exception {
        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"));
        warehouse.prepare(List.of(SCHEMA));
    }

    @AfterEach
    void close() throws Exception {
        warehouse.close();
    }

    @Test
    void appliesInsertsUpdatesAndDeletesAndKeepsEveryChangeInHistory() throws Exception {
        warehouse.load(List.of(
                change(Operation.CREATE, "{\"icao24\":\"abc123\",\"callsign\":\"DLH1    \",\"last_contact\":\"2024-05-01T10:00:00Z\","
                        + "\"velocity\":230.5,\"on_ground\":false,\"sensors\":[1,2],\"category\":3}"),
                change(Operation.CREATE, "{\"icao24\":\"def456\",\"callsign\":null,\"last_contact\":null,"
                        + "\"velocity\":null,\"on_ground\":null,\"sensors\":null,\"category\":null}")));
        warehouse.load(List.of(
                change(Operation.UPDATE, "{\"icao24\":\"abc123\",\"callsign\":\"Zürich✈\",\"last_contact\":\"2024-05-01T10:00:05Z\","
                        + "\"velocity\":1.0E10,\"on_ground\":true,\"sensors\":[],\"category\":3}"),
                change(Operation.DELETE, "{\"icao24\":\"def456\"}")));

        assertThat(rows("SELECT icao24, callsign, epoch(last_contact), velocity, on_ground, sensors, category FROM flight_state"))
                .containsExactly("abc123|Zürich✈|1.714557605E9|1.0E10|true|[]|3");
        assertThat(rows("SELECT _op, icao24, _kafka_offset FROM flight_state_history ORDER BY _kafka_offset"))
                .containsExactly("c|abc123|0", "c|def456|1", "u|abc123|2", "d|def456|3");
    }

    @Test
    void lastChangeOfAKeyWinsWithinOneBatch() throws Exception {
        warehouse.load(List.of(
                change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}"),
                change(Operation.DELETE, "{\"icao24\":\"aaaaaa\"}"),
                change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"TWO\"}"),
                change(Operation.CREATE, "{\"icao24\":\"bbbbbb\",\"callsign\":\"GONE\"}"),
                change(Operation.DELETE, "{\"icao24\":\"bbbbbb\"}")));

        assertThat(rows("SELECT icao24, callsign FROM flight_state")).containsExactly("aaaaaa|TWO");
        assertThat(rows("SELECT count(*) FROM flight_state_history")).containsExactly("5");
    }

    @Test
    void aRedeliveredBatchChangesNothing() throws Exception {
        List<ChangeEvent> batch = List.of(
                change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}"),
                change(Operation.DELETE, "{\"icao24\":\"aaaaaa\"}"));
        warehouse.load(batch);

        LoadResult again = warehouse.load(batch);

        assertThat(again.alreadyLoaded()).isEqualTo(2);
        assertThat(rows("SELECT count(*) FROM flight_state")).containsExactly("0");
        assertThat(rows("SELECT count(*) FROM flight_state_history")).containsExactly("2");
    }

    @Test
    void loadedOffsetsSurviveAReopen() throws Exception {
        List<ChangeEvent> batch = List.of(change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}"));
        warehouse.load(batch);
        warehouse.close();

        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"));
        warehouse.prepare(List.of(SCHEMA));

        assertThat(warehouse.load(batch).alreadyLoaded()).isEqualTo(1);
        assertThat(rows("SELECT count(*) FROM flight_state_history")).containsExactly("1");
    }

    @Test
    void aFailedBatchLeavesNoTrace() throws Exception {
        List<ChangeEvent> bad = List.of(
                change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}"),
                change(Operation.CREATE, "{\"icao24\":\"bbbbbb\",\"velocity\":\"not a number\"}"));
        try {
            warehouse.load(bad);
        } catch (Exception expected) {
            // the conversion error is the point of this test
        }

        assertThat(rows("SELECT count(*) FROM flight_state_history")).containsExactly("0");
        assertThat(rows("SELECT count(*) FROM flight_state")).containsExactly("0");
        assertThat(warehouse.load(bad.subList(0, 1)).applied()).isEqualTo(1);
    }

    private ChangeEvent change(Operation op, String row) throws Exception {
        long o = offset++;
        return new ChangeEvent("flightcdc.public.flight_state", 0, o, TABLE, op, 1000 + o, 7L,
                1_714_557_600_000L + o, JSON.readTree(row));
    }

    private List<String> rows(String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = warehouse.newReader(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    cells.add(String.valueOf(rs.getObject(i)));
                }
                rows.add(String.join("|", cells));
            }
        }
        return rows;
    }
}
