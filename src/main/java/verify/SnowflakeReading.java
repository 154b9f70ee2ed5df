package verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.Dialect;

/**
 * How a Snowflake warehouse is read over JDBC, in the loader's dialect: its quoting (upper case, so that
 * {@code flight_state} reaches the loader's {@code "FLIGHT_STATE"}) and its casts.
 *
 * <p>Snowflake's driver prints dates, times and timestamps in the session's output formats (TIME_OUTPUT_FORMAT
 * drops the fraction of a second by default) and converts them through the JVM's time zone. So they are
 * selected as whole numbers instead: days (dates) or microseconds (the rest) since the zero of their type,
 * as the loader's own cast makes it from the text it stages: the inverse of that cast, exact, whatever
 * the session's formats and time zone. Snowflake has none of the values that would not fit (infinity,
 * 24:00:00: the loader sets those aside).
 *
 * <p>Numbers come as the driver's Long, BigDecimal or Double, a NUMBER(p,s) or a numeric kept as text as the
 * text the driver receives; VARIANT (json) and ARRAY as their JSON text, an ARRAY's elements read from it;
 * BINARY as its bytes.
 */
final class SnowflakeReading implements TableReading {

    /** Numbers as their decimal text says, trailing zeros included: a numeric's scale is part of its value. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build();

    private final Dialect dialect;

    /** @param dialect the loader's: SnowflakeDialect, or in tests one with DuckDB's casts so that DuckDB runs the SELECT */
    SnowflakeReading(Dialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public String quote(String identifier) {
        return dialect.quote(identifier);
    }

    @Override
    public String column(Column column) {
        String name = quote(column.name());
        if (column.array()) {
            return name;
        }
        return switch (column.type()) {
            case DATE -> since("day", "0", column, name);
            case TIMESTAMP -> since("microsecond", "0", column, name);
            case TIMESTAMPTZ -> since("microsecond", "1970-01-01T00:00:00Z", column, name);
            case TIME -> since("microsecond", "00:00:00", column, name);
            default -> name;
        };
    }

    /**
     * DATEDIFF from the zero of the column's type, {@code zero} being that zero as StageText stages it (days or
     * microseconds since 1970, Debezium's ISO text of a timestamptz, a time's text). The unit is quoted, which
     * both Snowflake and DuckDB accept. The zero of a timestamptz is at UTC, as is every timestamptz the loader
     * writes (Debezium sends them so): the count is then the same whether DATEDIFF counts in UTC or in each
     * value's own offset.
     */
    private String since(String unit, String zero, Column column, String name) {
        return "DATEDIFF('" + unit + "', " + dialect.castFromText("'" + zero + "'", column) + ", " + name + ")";
    }

    @Override
    public Object read(ResultSet rs, int index, Column column) throws SQLException {
        if (column.array()) {
            return elements(rs.getString(index), column.type());
        }
        return switch (column.type()) {
            case DATE, TIMESTAMP, TIMESTAMPTZ, TIME -> sinceZero(rs, index, column.type());
            case TEXT, JSON, NUMERIC, TIMETZ, INTERVAL -> ValueNormaliser.normalise(rs.getString(index), column.type());
            case BYTEA -> rs.getBytes(index);
            default -> ValueNormaliser.normalise(rs.getObject(index), column.type());
        };
    }

    /** What {@link #since} selected, as the value it counts to. */
    private static Object sinceZero(ResultSet rs, int index, ColumnType type) throws SQLException {
        long count = rs.getLong(index);
        if (rs.wasNull()) {
            return null;
        }
        Instant instant = Instant.EPOCH.plusSeconds(Math.floorDiv(count, 1_000_000L))
                .plusNanos(Math.floorMod(count, 1_000_000L) * 1000);
        return switch (type) {
            case DATE -> LocalDate.ofEpochDay(count);
            case TIMESTAMP -> LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
            case TIMESTAMPTZ -> instant;
            default -> new TimeOfDay(count, null);
        };
    }

    /** An ARRAY's elements, from its JSON text: strings, numbers, booleans and nulls, each in its element type's form. */
    private static List<Object> elements(String json, ColumnType type) throws SQLException {
        if (json == null) {
            return null;
        }
        JsonNode array;
        try {
            array = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SQLException("An ARRAY value is not JSON: " + e.getOriginalMessage(), e);
        }
        List<Object> items = new ArrayList<>();
        for (JsonNode item : array) {
            items.add(ValueNormaliser.normalise(element(item, type), type));
        }
        return items;
    }

    private static Object element(JsonNode item, ColumnType type) {
        if (item.isNull()) {
            return null;
        }
        if (item.isNumber()) {
            return item.decimalValue();
        }
        if (item.isBoolean()) {
            return item.booleanValue();
        }
        if (item.isTextual()) {
            // JSON has no NaN or Infinity: a float's come as text, which Java reads as PostgreSQL prints it.
            return type == ColumnType.REAL || type == ColumnType.DOUBLE ? Double.valueOf(item.textValue()) : item.textValue();
        }
        // An object or an array inside a json[] element.
        return item.toString();
    }

    /** Snowflake keeps a json column as a VARIANT, which holds the value and not its text. */
    @Override
    public JsonForm jsonForm() {
        return JsonForm.VALUE;
    }
}
