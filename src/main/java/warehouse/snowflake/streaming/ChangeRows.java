package warehouse.snowflake.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import warehouse.ChangeEvent;
import warehouse.Column;
import warehouse.DeadLetter;
import warehouse.JsonText;
import warehouse.TableSchema;

/**
 * Rows of a table's raw change table, as the Snowpipe Streaming SDK takes them: a map from column name
 * to a Java value of the column's type. One row per Kafka record: a change, with its operation and
 * positions, or a record the warehouse set aside, with the reason and the record as received.
 *
 * <p>Names are upper case, as Snowflake stores the unquoted names the DDL in {@code snowflake/} creates.
 */
final class ChangeRows {

    static final String OP = "_OP";
    static final String LAST_COMMIT_LSN = "_LAST_COMMIT_LSN";
    static final String LSN = "_LSN";
    static final String TX_ID = "_TX_ID";
    static final String SOURCE_TS = "_SOURCE_TS";
    static final String LOADED_AT = "_LOADED_AT";
    static final String KAFKA_TOPIC = "_KAFKA_TOPIC";
    static final String KAFKA_PARTITION = "_KAFKA_PARTITION";
    static final String KAFKA_OFFSET = "_KAFKA_OFFSET";
    static final String REJECTED_REASON = "_REJECTED_REASON";
    static final String REJECTED_EVENT = "_REJECTED_EVENT";

    private static final Pattern DECIMAL = Pattern.compile("[-+]?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

    private final TableSchema table;

    ChangeRows(TableSchema table) {
        this.table = table;
    }

    Map<String, Object> change(ChangeEvent e, Instant loadedAt) {
        Map<String, Object> row = kafka(e.topic(), e.partition(), e.offset(), loadedAt);
        row.put(OP, e.operation().code());
        row.put(LAST_COMMIT_LSN, e.position().lastCommitLsn());
        row.put(LSN, e.lsn());
        row.put(TX_ID, e.txId());
        row.put(SOURCE_TS, Instant.ofEpochMilli(e.sourceTsMs()).toString());
        if (e.row() != null) {
            for (Column c : table.columns()) {
                row.put(name(c), value(e.row().get(c.name()), c));
            }
        }
        return row;
    }

    Map<String, Object> rejected(DeadLetter d, Instant loadedAt) {
        Map<String, Object> row = kafka(d.topic(), d.partition(), d.offset(), loadedAt);
        row.put(REJECTED_REASON, d.reason());
        row.put(REJECTED_EVENT, d.event());
        return row;
    }

    private static Map<String, Object> kafka(String topic, int partition, long offset, Instant loadedAt) {
        Map<String, Object> row = new HashMap<>();
        // Snowpipe Streaming fills no defaults: the load time is the writer's.
        row.put(LOADED_AT, loadedAt.toString());
        row.put(KAFKA_TOPIC, topic);
        row.put(KAFKA_PARTITION, partition);
        row.put(KAFKA_OFFSET, offset);
        return row;
    }

    static String name(Column c) {
        return c.name().toUpperCase(Locale.ROOT);
    }

    /**
     * Debezium's JSON value as the SDK's Java type for the column. A value of an unexpected shape is
     * passed as text: the SDK then refuses the row with its reason, and the record is set aside.
     */
    static Object value(JsonNode v, Column c) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (c.array() || c.type() == warehouse.ColumnType.JSON) {
            // ARRAY and VARIANT take JSON text; Debezium gives json/jsonb columns as a string holding JSON.
            return v.isTextual() ? v.textValue() : v.toString();
        }
        return switch (c.type()) {
            case BOOLEAN -> v.isBoolean() ? v.booleanValue() : JsonText.of(v);
            case SMALLINT, INTEGER, BIGINT -> v.canConvertToExactIntegral() && v.canConvertToLong() ? v.longValue() : JsonText.of(v);
            case REAL, DOUBLE -> v.isNumber() ? v.doubleValue() : JsonText.of(v); // "NaN", "Infinity" as text
            // The capture renders numeric as a decimal string, so no digit is lost.
            case NUMERIC -> v.isTextual() && isDecimal(v.textValue()) ? new BigDecimal(v.textValue()) : JsonText.of(v);
            // Debezium's adaptive time precision: dates as days and timestamps as microseconds since the epoch.
            case DATE -> v.canConvertToExactIntegral() ? LocalDate.ofEpochDay(v.longValue()) : JsonText.of(v);
            case TIMESTAMP -> v.canConvertToExactIntegral() ? micros(v.longValue()) : JsonText.of(v);
            // timestamptz comes as ISO-8601 text with its offset, which TIMESTAMP_TZ takes as it is.
            default -> JsonText.of(v);
        };
    }

    private static boolean isDecimal(String text) {
        return DECIMAL.matcher(text).matches();
    }

    private static LocalDateTime micros(long micros) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000), (int) Math.floorMod(micros, 1_000_000) * 1000,
                ZoneOffset.UTC);
    }
}
