package warehouse.snowflake.streaming;

import static warehouse.MetadataColumn.KAFKA_OFFSET;
import static warehouse.MetadataColumn.KAFKA_PARTITION;
import static warehouse.MetadataColumn.KAFKA_TOPIC;
import static warehouse.MetadataColumn.LOADED_AT;
import static warehouse.MetadataColumn.REJECTED_EVENT;
import static warehouse.MetadataColumn.REJECTED_REASON;
import static warehouse.MetadataColumn.UNAVAILABLE;

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
import warehouse.MetadataColumn;
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
        Map<String, Object> row = loaded(loadedAt);
        for (MetadataColumn c : MetadataColumn.CHANGE_TABLE) {
            if (c.ofChange()) {
                put(row, c, c.value(e));
            }
        }
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
                put(row, UNAVAILABLE, JSON.valueToTree(lacking).toString());
            }
        }
        return row;
    }

    Map<String, Object> rejected(DeadLetter d, Instant loadedAt) {
        Map<String, Object> row = loaded(loadedAt);
        put(row, KAFKA_TOPIC, d.topic());
        put(row, KAFKA_PARTITION, d.partition());
        put(row, KAFKA_OFFSET, d.offset());
        put(row, REJECTED_REASON, d.reason());
        put(row, REJECTED_EVENT, d.event());
        return row;
    }

    /** A row of a table with a load time, which the writer gives: Snowpipe Streaming fills no defaults. */
    static Map<String, Object> loaded(Instant loadedAt) {
        Map<String, Object> row = new HashMap<>();
        put(row, LOADED_AT, loadedAt);
        return row;
    }

    /** The SDK takes a timestamp with time zone as ISO-8601 text. */
    private static void put(Map<String, Object> row, MetadataColumn c, Object value) {
        row.put(name(c), value instanceof Instant instant ? instant.toString() : value);
    }

    static String name(Column c) {
        return c.name().toUpperCase(Locale.ROOT);
    }

    static String name(MetadataColumn c) {
        return c.columnName().toUpperCase(Locale.ROOT);
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
