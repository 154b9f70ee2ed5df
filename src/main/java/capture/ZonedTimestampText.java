package capture;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.time.ZonedTimestamp;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;

/**
 * A {@code timestamptz} value as Debezium's PostgreSQL connector writes it ({@link ZonedTimestamp}'s ISO-8601 text), for
 * a column of a given fractional width, character for character the same.
 *
 * <p>Why not Debezium's own: for a column with a width of 1 to 9 digits (a plain {@code timestamptz} has 6), Debezium
 * 3.4 builds a new {@code DateTimeFormatter} for every value ({@code ZonedTimestamp.getDateTimeFormatter}), and
 * formats its fraction through a {@code BigDecimal}. In the initial snapshot of {@code flight_state}, with three such
 * columns, that was a quarter of what Debezium's snapshot thread allocated (async-profiler). Values in UTC between the
 * years 0 and 9999, which is what PostgreSQL hands Debezium, are written here directly; any other value, and the
 * infinities, take Debezium's own steps.
 */
final class ZonedTimestampText {

    private static final char[] DIGITS = "0123456789".toCharArray();

    private final Integer width;
    private final int fixedFractionDigits;

    /**
     * @param width the column's fractional width as Debezium reads it (its scale, or else its length); from 1 to 9
     *              the fraction has exactly that many digits, otherwise as many as it needs, none for whole seconds
     */
    ZonedTimestampText(Integer width) {
        this.width = width;
        this.fixedFractionDigits = width != null && width > 0 && width <= 9 ? width : 0;
    }

    /** The text Debezium writes for a value of this column (Debezium's {@code convertTimestampWithZone}). */
    String of(Object value) {
        Object v = value instanceof Date date ? OffsetDateTime.ofInstant(date.toInstant(), ZoneOffset.UTC) : value;
        if (PostgresValueConverter.POSITIVE_INFINITY_OFFSET_DATE_TIME.equals(v)) {
            return "infinity";
        }
        if (PostgresValueConverter.NEGATIVE_INFINITY_OFFSET_DATE_TIME.equals(v)) {
            return "-infinity";
        }
        if (v instanceof OffsetDateTime time) {
            if (time.getOffset().equals(ZoneOffset.UTC) && time.getYear() >= 0 && time.getYear() <= 9999) {
                return utc(time);
            }
            v = time.toZonedDateTime();
        }
        return ZonedTimestamp.toIsoString(v, ZoneOffset.UTC, null, width);
    }

    /**
     * What Debezium writes for a null in a NOT NULL column without a default, as in the old row of a delete under
     * REPLICA IDENTITY DEFAULT: the epoch, as its {@code JdbcValueConverters} makes it.
     */
    static String fallback() {
        return ZonedTimestamp.toIsoString(OffsetDateTime.of(LocalDate.ofEpochDay(0), LocalTime.MIDNIGHT, ZoneOffset.UTC),
                ZoneOffset.UTC, null, null);
    }

    private String utc(OffsetDateTime time) {
        char[] text = new char[30];
        int at = digits(text, 0, time.getYear(), 4);
        text[at++] = '-';
        at = digits(text, at, time.getMonthValue(), 2);
        text[at++] = '-';
        at = digits(text, at, time.getDayOfMonth(), 2);
        text[at++] = 'T';
        at = digits(text, at, time.getHour(), 2);
        text[at++] = ':';
        at = digits(text, at, time.getMinute(), 2);
        text[at++] = ':';
        at = digits(text, at, time.getSecond(), 2);
        int nanos = time.getNano();
        // A fixed width keeps that many leading digits of the nine, cut off, not rounded; otherwise trailing zeros go.
        int fractionDigits = fixedFractionDigits;
        if (fractionDigits == 0 && nanos != 0) {
            fractionDigits = 9;
            for (int n = nanos; n % 10 == 0; n /= 10) {
                fractionDigits--;
            }
        }
        if (fractionDigits > 0) {
            text[at++] = '.';
            digits(text, at, nanos, 9);
            at += fractionDigits;
        }
        text[at++] = 'Z';
        return new String(text, 0, at);
    }

    /** Writes {@code value} in {@code count} digits, zero-padded, from {@code at}; returns the position after them. */
    private static int digits(char[] text, int at, int value, int count) {
        for (int i = at + count - 1, v = value; i >= at; i--, v /= 10) {
            text[i] = DIGITS[v % 10];
        }
        return at + count;
    }
}
