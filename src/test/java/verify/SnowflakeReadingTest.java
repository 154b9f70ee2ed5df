package verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import settings.PipelineSettings.Warehouse.Type;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.snowflake.SnowflakeDialect;
import warehouse.snowflake.TestSnowflakeSettings;

/**
 * The text of what verify sends Snowflake, where DuckDB cannot stand in for it (SnowflakeOnDuckDbTest runs
 * the same reading with DuckDB's casts): the loader's names and quoting, and Snowflake's casts.
 */
class SnowflakeReadingTest {

    private static final TableSchema FLIGHT_STATE = new TableSchema(new TableId("public", "flight_state"), List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("last_contact", ColumnType.TIMESTAMPTZ, false),
            new Column("sensors", ColumnType.INTEGER, true)), List.of("icao24"));

    @Test
    void mergeModeReadsTheCurrentStateTableInTheSettingsDatabaseAndSchema() throws Exception {
        CurrentState state = schema(Type.SNOWFLAKE_MERGE).currentState(FLIGHT_STATE);

        assertThat(state.kind()).isEqualTo("table");
        assertThat(state.location().name()).containsExactly("FLIGHTCDC", "CDC", "FLIGHT_STATE");
        assertThat(state.location().reading().select(FLIGHT_STATE, state.location().name())).isEqualTo(
                "SELECT \"ICAO24\", DATEDIFF('microsecond', TO_TIMESTAMP_TZ('1970-01-01T00:00:00Z'), \"LAST_CONTACT\"),"
                        + " \"SENSORS\" FROM \"FLIGHTCDC\".\"CDC\".\"FLIGHT_STATE\"");
    }

    @Test
    void streamingModeReadsTheLiveViewWhichHasNoLag() throws Exception {
        CurrentState state = schema(Type.SNOWFLAKE_STREAMING).currentState(FLIGHT_STATE);

        assertThat(state.kind()).isEqualTo("view");
        assertThat(state.location().name()).containsExactly("FLIGHTCDC", "CDC", "FLIGHT_STATE_LIVE");
    }

    @Test
    void datesTimesAndTimestampsAreSelectedAsWholeUnitsSinceTheZeroTheLoadersCastMakes() {
        SnowflakeReading reading = new SnowflakeReading(new SnowflakeDialect());

        assertThat(reading.column(new Column("d", ColumnType.DATE, false)))
                .isEqualTo("DATEDIFF('day', DATEADD(day, CAST('0' AS INTEGER), DATE '1970-01-01'), \"D\")");
        assertThat(reading.column(new Column("ts", ColumnType.TIMESTAMP, false)))
                .isEqualTo("DATEDIFF('microsecond', TO_TIMESTAMP_NTZ(CAST('0' AS BIGINT), 6), \"TS\")");
        assertThat(reading.column(new Column("tz", ColumnType.TIMESTAMPTZ, false)))
                .isEqualTo("DATEDIFF('microsecond', TO_TIMESTAMP_TZ('1970-01-01T00:00:00Z'), \"TZ\")");
        assertThat(reading.column(new Column("t", ColumnType.TIME, false)))
                .isEqualTo("DATEDIFF('microsecond', CAST('00:00:00' AS TIME), \"T\")");
    }

    @Test
    void everythingElseIsSelectedAsItIsKeptArraysOfDatesIncluded() {
        SnowflakeReading reading = new SnowflakeReading(new SnowflakeDialect());

        assertThat(List.of(Column.numeric("n", 12, 3), new Column("nu", ColumnType.NUMERIC, false),
                new Column("j", ColumnType.JSON, false), new Column("b", ColumnType.BYTEA, false),
                new Column("iv", ColumnType.INTERVAL, false), new Column("tt", ColumnType.TIMETZ, false),
                new Column("r", ColumnType.REAL, false), new Column("tags", ColumnType.TEXT, true),
                new Column("days", ColumnType.DATE, true), new Column("Mixed \"Case\"", ColumnType.TEXT, false)))
                .extracting(reading::column)
                .containsExactly("\"N\"", "\"NU\"", "\"J\"", "\"B\"", "\"IV\"", "\"TT\"", "\"R\"", "\"TAGS\"", "\"DAYS\"",
                        "\"MIXED \"\"CASE\"\"\"");
        assertThat(reading.jsonForm()).isEqualTo(JsonForm.VALUE);
    }

    private static SnowflakeSchema schema(Type type) throws Exception {
        return new SnowflakeSchema(null, new SnowflakeDialect(), TestSnowflakeSettings.settings(), type);
    }
}
