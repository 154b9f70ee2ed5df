package verify;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * An interval as both PostgreSQL and DuckDB keep it: months, days and microseconds, each with its own
 * sign. PostgreSQL finds {@code 1 mon} equal to {@code 30 days}; this does not, as they are different
 * values that only compare alike.
 */
record IntervalValue(long months, long days, long micros) {

    /**
     * Reads the interval text of every database: PostgreSQL's default style ({@code 1 year 2 mons -3 days
     * +04:05:06.789012}), DuckDB's ({@code 1 year 2 months -3 days 04:05:06.789012}) and the text the loader
     * keeps in Snowflake, which has no interval type ({@code 14 months -3 days 14706789012 microseconds}).
     */
    static IntervalValue parse(String text) {
        long months = 0;
        long days = 0;
        long micros = 0;
        String[] tokens = text.trim().split("\\s+");
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i];
            if (token.contains(":")) {
                micros = Math.addExact(micros, timeMicros(token));
                continue;
            }
            if (i + 1 >= tokens.length) {
                throw new IllegalArgumentException("not an interval: " + text);
            }
            long number = Long.parseLong(token.startsWith("+") ? token.substring(1) : token);
            String unit = tokens[++i].toLowerCase(Locale.ROOT);
            if (unit.startsWith("year")) {
                months = Math.addExact(months, Math.multiplyExact(number, 12));
            } else if (unit.startsWith("mon")) {
                months = Math.addExact(months, number);
            } else if (unit.startsWith("day")) {
                days = Math.addExact(days, number);
            } else if (unit.startsWith("microsecond")) {
                micros = Math.addExact(micros, number);
            } else {
                throw new IllegalArgumentException("not an interval: " + text);
            }
        }
        return new IntervalValue(months, days, micros);
    }

    /** {@code [+-]H:MM:SS[.ffffff]}, hours of any size. */
    private static long timeMicros(String token) {
        boolean negative = token.startsWith("-");
        String unsigned = token.startsWith("-") || token.startsWith("+") ? token.substring(1) : token;
        String[] parts = unsigned.split(":");
        long micros = Math.addExact(Math.multiplyExact(Long.parseLong(parts[0]), 3_600_000_000L),
                Math.addExact(Math.multiplyExact(Long.parseLong(parts[1]), 60_000_000L),
                        new BigDecimal(parts[2]).movePointRight(6).longValueExact()));
        return negative ? -micros : micros;
    }
}
