package warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.time.MicroTimestamp;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/** Each of Debezium's forms, as the capture route asks for them, to the exact text the warehouses cast. */
class StageTextTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void numericKeepsItsDigitsAndNamesTheSpecialValuesAsPostgresDoes() throws Exception {
        Column numeric = new Column("n", ColumnType.NUMERIC, false);
        String digits = "123456789012345678901234567890123456789012345.123456789012345";

        assertThat(text("\"" + digits + "\"", numeric)).isEqualTo(digits);
        assertThat(text("\"1.500\"", numeric)).isEqualTo("1.500");
        assertThat(text("\"NAN\"", numeric)).isEqualTo("NaN");
        assertThat(text("\"POSITIVE_INFINITY\"", numeric)).isEqualTo("Infinity");
        assertThat(text("\"NEGATIVE_INFINITY\"", numeric)).isEqualTo("-Infinity");
    }

    @Test
    void infiniteDatesAndTimestampsAreNamedAndFiniteOnesStayNumbers() throws Exception {
        Column date = new Column("d", ColumnType.DATE, false);
        Column timestamp = new Column("t", ColumnType.TIMESTAMP, false);

        assertThat(text("-2147472692", date)).isEqualTo("infinity");
        assertThat(text("-2147472691", date)).isEqualTo("-infinity");
        assertThat(text("19782", date)).isEqualTo("19782");
        assertThat(text("-719528", date)).isEqualTo("-719528");
        assertThat(text("9223372036825200000", timestamp)).isEqualTo("infinity");
        assertThat(text("-9223372036832400000", timestamp)).isEqualTo("-infinity");
        assertThat(text("1709208000123456", timestamp)).isEqualTo("1709208000123456");
        // 4714-11-24 BC, the first timestamp PostgreSQL has
        assertThat(text("-210866803200000000", timestamp)).isEqualTo("-210866803200000000");
    }

    @Test
    void theNumbersTakenForInfinityAreDebeziumsOwn() {
        assertThat(PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE.toEpochDay()).isEqualTo(StageText.DATE_INFINITY);
        assertThat(PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE.toEpochDay()).isEqualTo(StageText.DATE_MINUS_INFINITY);
        assertThat(micros(PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE_TIME)).isEqualTo(StageText.TIMESTAMP_INFINITY);
        assertThat(micros(PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE_TIME))
                .isEqualTo(StageText.TIMESTAMP_MINUS_INFINITY);
    }

    @Test
    void aTimestamptzAfter9999LosesOnlyTheSignIsoPutsBeforeItsYear() throws Exception {
        Column timestamptz = new Column("t", ColumnType.TIMESTAMPTZ, false);

        assertThat(text("\"+12345-06-07T08:09:10.111213Z\"", timestamptz)).isEqualTo("12345-06-07T08:09:10.111213Z");
        assertThat(text("\"-4713-11-24T00:00:00.000000Z\"", timestamptz)).isEqualTo("-4713-11-24T00:00:00.000000Z");
        assertThat(text("\"infinity\"", timestamptz)).isEqualTo("infinity");
    }

    @Test
    void aTimestampWhoseMicrosecondsOverflowedInDebeziumIsRefused() {
        // 294276-12-31 23:59:59.999999, PostgreSQL's last timestamp, as Debezium sent it
        assertThatThrownBy(() -> text("-9223372036853775810", new Column("at", ColumnType.TIMESTAMP, false)))
                .isInstanceOf(RefusedValueException.class)
                .hasMessageStartingWith("column at: timestamp arrives from Debezium as -9223372036853775810");
    }

    @Test
    void aTimeOfDayIsWrittenOutToTheMicrosecondUpToMidnightAtTheEnd() throws Exception {
        Column time = new Column("t", ColumnType.TIME, false);

        assertThat(text("86399999999", time)).isEqualTo("23:59:59.999999");
        assertThat(text("86400000000", time)).isEqualTo("24:00:00.000000");
        assertThat(text("36001123000", time)).isEqualTo("10:00:01.123000");
        assertThat(text("0", time)).isEqualTo("00:00:00.000000");
    }

    @Test
    void anIntervalIsMonthsDaysAndMicrosecondsSoThatAMonthIsNeverThirtyDays() throws Exception {
        Column interval = new Column("i", ColumnType.INTERVAL, false);

        assertThat(text("\"P1Y2M-3DT4H5M6.789012S\"", interval)).isEqualTo("14 months -3 days 14706789012 microseconds");
        assertThat(text("\"P-1Y-2M3DT-4H-5M-6.5S\"", interval)).isEqualTo("-14 months 3 days -14706500000 microseconds");
        assertThat(text("\"P0Y1M0DT0H0M0S\"", interval)).isEqualTo("1 months 0 days 0 microseconds");
        assertThat(text("\"P0Y0M0DT0H0M0.0000010S\"", interval)).isEqualTo("0 months 0 days 1 microseconds");
    }

    @Test
    void aTimeWithTimeZoneIsRefusedAsDebeziumDropsItsOffset() {
        assertThatThrownBy(() -> text("\"08:00:00.5Z\"", new Column("clock", ColumnType.TIMETZ, false)))
                .isInstanceOf(RefusedValueException.class)
                .hasMessageContaining("column clock: time with time zone arrives from Debezium as 08:00:00.5Z, shifted to UTC");
    }

    @Test
    void textArraysAreTheirJsonAndArraysOfTypesDebeziumSendsOtherwiseAreRefused() throws Exception {
        String tags = "[\"a,b\",null,\"q\\\"x\",\"back\\\\slash\",\"{brace}\",\"NULL\",\"\",\"tab\\t\"]";

        assertThat(text(tags, new Column("tags", ColumnType.TEXT, true))).isEqualTo(tags);
        assertThat(text("[1,null,3]", new Column("ints", ColumnType.INTEGER, true))).isEqualTo("[1,null,3]");
        assertThatThrownBy(() -> text("[19782]", new Column("days", ColumnType.DATE, true)))
                .isInstanceOf(RefusedValueException.class).hasMessageStartingWith("column days: arrays of date are not carried");
    }

    @Test
    void textJsonByteaAndNullAreAsDebeziumSentThem() throws Exception {
        assertThat(text("\"{\\\"a\\\": \\\"é😀\\\"}\"", new Column("j", ColumnType.JSON, false))).isEqualTo("{\"a\": \"é😀\"}");
        assertThat(text("\"000102ff00\"", new Column("b", ColumnType.BYTEA, false))).isEqualTo("000102ff00");
        assertThat(text("null", new Column("b", ColumnType.BYTEA, false))).isNull();
        assertThat(StageText.of(null, new Column("b", ColumnType.TEXT, false))).isNull();
    }

    private static String text(String json, Column column) throws Exception {
        JsonNode value = JSON.readTree(json);
        return StageText.of(value, column);
    }

    /** As Debezium turns a timestamp into microseconds (MicroTimestamp). */
    private static long micros(LocalDateTime t) {
        return MicroTimestamp.toEpochMicros(t, null);
    }
}
