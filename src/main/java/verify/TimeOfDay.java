package verify;

import java.math.BigDecimal;

/**
 * A time of day to the microsecond, {@code 24:00:00} included (which java.time has no value for), and for
 * a time with time zone its UTC offset, which PostgreSQL keeps as part of the value: 10:00+02 and
 * 08:00+00 are the same instant of the day but different values.
 *
 * @param offsetSeconds null for a time without time zone
 */
record TimeOfDay(long micros, Integer offsetSeconds) {

    /** {@code HH:MM:SS[.ffffff][(+|-)HH[:MM[:SS]]]}, as both databases print it. */
    static TimeOfDay parse(String text) {
        int sign = Math.max(text.indexOf('+'), text.indexOf('-'));
        String time = sign < 0 ? text : text.substring(0, sign);
        String[] parts = time.split(":");
        long micros = Long.parseLong(parts[0]) * 3_600_000_000L + Long.parseLong(parts[1]) * 60_000_000L
                + new BigDecimal(parts[2]).movePointRight(6).longValueExact();
        if (sign < 0) {
            return new TimeOfDay(micros, null);
        }
        String[] offset = text.substring(sign + 1).split(":");
        int seconds = Integer.parseInt(offset[0]) * 3600 + (offset.length > 1 ? Integer.parseInt(offset[1]) * 60 : 0)
                + (offset.length > 2 ? Integer.parseInt(offset[2]) : 0);
        return new TimeOfDay(micros, text.charAt(sign) == '-' ? -seconds : seconds);
    }
}
