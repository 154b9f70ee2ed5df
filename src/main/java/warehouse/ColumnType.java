package warehouse;

import java.util.Locale;
import java.util.Optional;

/**
 * The source column types the warehouse understands, named after PostgreSQL's. Each dialect maps
 * them to its own types; an unknown source type is carried as text so no value is ever dropped.
 */
public enum ColumnType {
    TEXT, BOOLEAN, SMALLINT, INTEGER, BIGINT, REAL, DOUBLE, NUMERIC, DATE, TIME, TIMETZ, TIMESTAMP, TIMESTAMPTZ,
    INTERVAL, BYTEA, JSON;

    /**
     * Maps a PostgreSQL {@code udt_name} (element type for arrays: {@code _int4} gives int4). Enums and
     * domains are resolved before this by the source catalog: an enum is text, a domain its base type.
     */
    public static Optional<ColumnType> fromPostgres(String udtName) {
        return Optional.ofNullable(switch (udtName.toLowerCase(Locale.ROOT)) {
            case "text", "varchar", "bpchar", "char", "name", "uuid", "citext" -> TEXT;
            case "bool" -> BOOLEAN;
            case "int2" -> SMALLINT;
            case "int4" -> INTEGER;
            case "int8" -> BIGINT;
            case "float4" -> REAL;
            case "float8" -> DOUBLE;
            case "numeric" -> NUMERIC;
            case "date" -> DATE;
            case "time" -> TIME;
            case "timetz" -> TIMETZ;
            case "timestamp" -> TIMESTAMP;
            case "timestamptz" -> TIMESTAMPTZ;
            case "interval" -> INTERVAL;
            case "bytea" -> BYTEA;
            case "json", "jsonb" -> JSON;
            default -> null;
        });
    }
}
