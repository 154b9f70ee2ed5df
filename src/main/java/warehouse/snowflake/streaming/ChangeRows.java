package warehouse.snowflake.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import warehouse.ChangeEvent;
import warehouse.Column;
import warehouse.DeadLetter;
import warehouse.RefusedValueException;
import warehouse.StageRows;
import warehouse.StageText;
import warehouse.TableSchema;
import warehouse.snowflake.SnowflakeDialect;

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
    static final String UNAVAILABLE = "_UNAVAILABLE";

    private static final Pattern DECIMAL = Pattern.compile("[-+]?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final SnowflakeDialect SNOWFLAKE = new SnowflakeDialect();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TableSchema table;

    ChangeRows(TableSchema table) {
        this.table = table;
    }

    /**
     * @throws RefusedValueException for a change no warehouse can load exactly (see StageRows): the writer
     *     sets it aside with the reason
     */
    Map<String, Object> change(ChangeEvent e, Instant loadedAt) throws RefusedValueException {
        Map<String, Object> row = kafka(e.topic(), e.partition(), e.offset(), loadedAt);
        row.put(OP, e.operation().code());
        row.put(LAST_COMMIT_LSN, e.position().lastCommitLsn());
        row.put(LSN, e.lsn());
        row.put(TX_ID, e.txId());
        row.put(SOURCE_TS, Instant.ofEpochMilli(e.sourceTsMs()).toString());
        if (e.operation() != ChangeEvent.Operation.TRUNCATE) {
            StageRows.Rendered rendered = StageRows.render(table, e);
            List<String> lacking = new ArrayList<>();
            for (int i = 0; i < table.columns().size(); i++) {
                Column c = table.columns().get(i);
                row.put(name(c), value(rendered.values()[i], c));
                if (rendered.lacking()[i]) {
                    lacking.add(c.name());
                }
            }
            // Only a table without REPLICA IDENTITY FULL has the column; only its changes lack values.
            if (!lacking.isEmpty()) {
                row.put(UNAVAILABLE, JSON.valueToTree(lacking).toString());
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

    /** Debezium's JSON value as the SDK's Java type for the column: {@link StageText}, then {@link #value(String, Column)}. */
    static Object value(JsonNode v, Column c) throws RefusedValueException {
        return value(StageText.of(v, c), c);
    }

    /**
     * A value as {@link StageText} renders it, as the SDK's Java type for the column. A value of an
     * unexpected shape is passed as text: the SDK then refuses the row with its reason, and the record is
     * set aside.
     */
    static Object value(String text, Column c) {
        if (text == null) {
            return null;
        }
        if (c.array() || c.type() == warehouse.ColumnType.JSON) {
            // ARRAY and VARIANT take JSON text; Debezium gives json/jsonb columns as a string holding JSON.
            return text;
        }
        return switch (c.type()) {
            case BOOLEAN -> "true".equals(text) || "false".equals(text) ? Boolean.valueOf(text) : text;
            case SMALLINT, INTEGER, BIGINT -> INTEGER.matcher(text).matches() ? Long.valueOf(text) : text;
            case REAL, DOUBLE -> isDecimal(text) ? Double.valueOf(text) : text; // "NaN", "Infinity" as text
            // The capture renders numeric as a decimal string, so no digit is lost; a numeric Snowflake keeps as
            // text (wider than NUMBER, or unconstrained) stays the exact text, which a BigDecimal might not print.
            case NUMERIC -> SNOWFLAKE.type(c).startsWith("NUMBER") && isDecimal(text) ? new BigDecimal(text) : text;
            // Days and microseconds since the epoch; "infinity", which Snowflake has no value for, as text for it to refuse.
            case DATE -> INTEGER.matcher(text).matches() ? LocalDate.ofEpochDay(Long.parseLong(text)) : text;
            case TIMESTAMP -> INTEGER.matcher(text).matches() ? micros(Long.parseLong(text)) : text;
            // timestamptz as ISO-8601 text with its offset, time as HH:MM:SS.ffffff, bytea as hex, interval as text:
            // the SDK takes them as they are.
            default -> text;
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
