package snapshot;

import warehouse.Column;
import warehouse.ColumnType;

/**
 * A column as a direct snapshot selects it: PostgreSQL renders each value as the text warehouse/StageText makes of
 * the value Debezium would have sent for it (with the capture's settings, routes/CaptureRoute). The stage, and each
 * dialect's cast from it, then hold the same value whichever way a row came. Where StageText passes Debezium's
 * JSON text on, this renders that text; where it rewrites it, this renders what it rewrites it to:
 *
 * <ul>
 *   <li>boolean: {@code true}, {@code false}; numbers as PostgreSQL writes them (numeric's scale kept, as Debezium's
 *       string mode keeps it);
 *   <li>date: days since 1970, timestamp: microseconds since 1970 (the infinities as words);
 *   <li>timestamp with time zone: ISO-8601 in UTC, years before 1 as ISO's signed years;
 *   <li>time: {@code HH:MM:SS.ffffff}; interval: months, days and microseconds; bytea: hex; arrays: JSON.
 * </ul>
 *
 * The session reading runs in UTC ({@link #SESSION}). Extracting an epoch as an exact number needs PostgreSQL 14.
 */
final class StageTextSql {

    /** Settings of the reading session that the renderings rely on. */
    static final String SESSION = "SET TIME ZONE 'UTC'";

    private static final String ISO_UTC = "'-MM-DD\"T\"HH24:MI:SS.US\"Z\"'";

    private StageTextSql() {
    }

    /**
     * The select-list expression of {@code column}, whose name is quoted as {@code quoted}: a column the stream carries
     * (warehouse.StageText#neverCarried is empty for it).
     */
    static String of(Column column, String quoted) {
        String c = quoted;
        if (column.array()) {
            return "to_json(" + c + ")::text";
        }
        return switch (column.type()) {
            // The value's own output: a cast to text would cut a character(n)'s padding off.
            case TEXT -> c;
            case BOOLEAN -> "CASE WHEN " + c + " THEN 'true' WHEN NOT " + c + " THEN 'false' END";
            case SMALLINT, INTEGER, BIGINT, REAL, DOUBLE, NUMERIC, JSON -> c + "::text";
            case DATE -> "CASE WHEN isfinite(" + c + ") THEN (" + c + " - DATE '1970-01-01')::text ELSE " + c + "::text END";
            case TIMESTAMP -> "CASE WHEN isfinite(" + c + ") THEN (extract(epoch FROM " + c + ") * 1000000)::bigint::text"
                    + " ELSE " + c + "::text END";
            // ISO-8601's year 0 is 1 BC, -1 is 2 BC, and so on; after 9999, five digits, without the sign ISO puts.
            case TIMESTAMPTZ -> "CASE WHEN NOT isfinite(" + c + ") THEN " + c + "::text"
                    + " WHEN " + c + " >= TIMESTAMPTZ '0001-01-01 00:00:00+00' THEN to_char(" + c + ", 'YYYY' || " + ISO_UTC + ")"
                    + " WHEN extract(year FROM " + c + ") = -1 THEN to_char(" + c + ", '\"0000\"' || " + ISO_UTC + ")"
                    + " ELSE '-' || lpad((-extract(year FROM " + c + ")::int - 1)::text, 4, '0') || to_char(" + c + ", "
                    + ISO_UTC + ") END";
            case TIME -> "to_char(" + c + "::interval, 'HH24:MI:SS.US')";
            case INTERVAL -> "(extract(year FROM " + c + ") * 12 + extract(month FROM " + c + "))::bigint || ' months '"
                    + " || extract(day FROM " + c + ")::bigint || ' days ' || (extract(hour FROM " + c + ") * 3600000000"
                    + " + extract(minute FROM " + c + ") * 60000000 + extract(microseconds FROM " + c + "))::bigint"
                    + " || ' microseconds'";
            case BYTEA -> "encode(" + c + ", 'hex')";
            case TIMETZ -> throw new IllegalArgumentException("time with time zone is not carried: " + column.name());
        };
    }
}
