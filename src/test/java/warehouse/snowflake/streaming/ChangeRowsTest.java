package warehouse.snowflake.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import warehouse.Column;
import warehouse.ColumnType;

/** Debezium's JSON values as the Java values the Snowpipe Streaming SDK takes, for every source column type. */
class ChangeRowsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Object value(String json, ColumnType type) throws Exception {
        return ChangeRows.value(JSON.readTree(json), new Column("c", type, false));
    }

    private static Object array(String json, ColumnType type) throws Exception {
        return ChangeRows.value(JSON.readTree(json), new Column("c", type, true));
    }

    @Test
    void everySourceColumnTypeBecomesTheSdksJavaType() throws Exception {
        assertThat(value("\"DLH1    \"", ColumnType.TEXT)).isEqualTo("DLH1    ");
        assertThat(value("\"Zürich✈\"", ColumnType.TEXT)).isEqualTo("Zürich✈");
        assertThat(value("true", ColumnType.BOOLEAN)).isEqualTo(true);
        assertThat(value("7", ColumnType.SMALLINT)).isEqualTo(7L);
        assertThat(value("2147483647", ColumnType.INTEGER)).isEqualTo(2_147_483_647L);
        assertThat(value("9223372036854775807", ColumnType.BIGINT)).isEqualTo(Long.MAX_VALUE);
        assertThat(value("230.5", ColumnType.DOUBLE)).isEqualTo(230.5);
        assertThat(value("1.0E10", ColumnType.REAL)).isEqualTo(1.0E10);
        assertThat(ChangeRows.value(JSON.readTree("\"12345678901234567890.123456789\""), Column.numeric("c", 38, 9)))
                .isEqualTo(new BigDecimal("12345678901234567890.123456789"));
        // Unconstrained, or wider than NUMBER: Snowflake keeps the exact text, which a BigDecimal might print otherwise.
        assertThat(value("\"0.0000001\"", ColumnType.NUMERIC)).isEqualTo("0.0000001");
        assertThat(value("\"NAN\"", ColumnType.NUMERIC)).isEqualTo("NaN");
        assertThat(value("86400000000", ColumnType.TIME)).isEqualTo("24:00:00.000000");
        assertThat(value("\"P1Y2M-3DT4H5M6.789012S\"", ColumnType.INTERVAL)).isEqualTo("14 months -3 days 14706789012 microseconds");
        assertThat(value("\"000102ff00\"", ColumnType.BYTEA)).isEqualTo("000102ff00");
        assertThat(value("19844", ColumnType.DATE)).isEqualTo(LocalDate.of(2024, 5, 1));
        assertThat(value("1714557600123456", ColumnType.TIMESTAMP)).isEqualTo(LocalDateTime.of(2024, 5, 1, 10, 0, 0, 123_456_000));
        assertThat(value("-1", ColumnType.TIMESTAMP)).isEqualTo(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000));
        assertThat(value("\"2024-05-01T10:00:00.5+02:00\"", ColumnType.TIMESTAMPTZ)).isEqualTo("2024-05-01T10:00:00.5+02:00");
        assertThat(value("\"{\\\"a\\\": [1, 2]}\"", ColumnType.JSON)).isEqualTo("{\"a\": [1, 2]}");
        assertThat(array("[1,2,3]", ColumnType.INTEGER)).isEqualTo("[1,2,3]");
        assertThat(array("[]", ColumnType.INTEGER)).isEqualTo("[]");
        assertThat(array("[\"a\",null]", ColumnType.TEXT)).isEqualTo("[\"a\",null]");
    }

    @Test
    void nullsStayNull() throws Exception {
        for (ColumnType type : ColumnType.values()) {
            assertThat(value("null", type)).as(type.name()).isNull();
            assertThat(ChangeRows.value((JsonNode) null, new Column("c", type, false))).isNull();
        }
    }

    /** Left as text, so the SDK refuses the row with its own reason and the record is set aside, not guessed at. */
    @Test
    void aValueOfAnUnexpectedShapeIsPassedAsTextForSnowflakeToJudge() throws Exception {
        assertThat(value("\"yes\"", ColumnType.BOOLEAN)).isEqualTo("yes");
        assertThat(value("1.5", ColumnType.INTEGER)).isEqualTo("1.5");
        assertThat(value("\"NaN\"", ColumnType.DOUBLE)).isEqualTo("NaN");
        assertThat(ChangeRows.value(JSON.readTree("\"12abc\""), Column.numeric("c", 10, 2))).isEqualTo("12abc");
        assertThat(ChangeRows.value(JSON.readTree("\"NAN\""), Column.numeric("c", 10, 2))).isEqualTo("NaN");
        assertThat(value("-2147472692", ColumnType.DATE)).isEqualTo("infinity");
        assertThat(value("\"2024-05-01\"", ColumnType.DATE)).isEqualTo("2024-05-01");
    }
}
