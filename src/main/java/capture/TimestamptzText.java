package capture;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A {@code timestamptz} value as PostgreSQL writes it in pgoutput's text (in the ISO {@code DateStyle}, PostgreSQL's
 * default and the one Debezium's parser reads), read into the value Debezium's decoder makes of it: the same instant,
 * at UTC.
 *
 * <p>Why not Debezium's own: Debezium 3.4 reads it with a {@code DateTimeFormatter} of optional parts, which was 14% of
 * the CPU of its decoding thread in the bench (async-profiler; {@code flight_state} has two such columns, read in the
 * old row and the new of each update): about 1.1 µs a value, against 53 ns here. That thread bounds how fast the
 * capture catches up. Here the one form PostgreSQL writes for years 1 to 9999 is read digit by digit; anything else
 * (the infinities, BC, years past 9999) is left to Debezium ({@link #utc} answers null).
 */
final class TimestamptzText {

    private TimestamptzText() {
    }

    /**
     * {@code yyyy-MM-dd HH:mm:ss[.f…]±HH[:mm[:ss]]}, with 1 to 9 digits of fraction, as the instant at UTC; null for
     * any other text.
     */
    static OffsetDateTime utc(String text) {
        int length = text.length();
        // The shortest: "yyyy-MM-dd HH:mm:ss+HH" (22 characters).
        if (length < 22 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != ' '
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            int start = ++at;
            while (at < length && isDigit(text.charAt(at))) {
                at++;
            }
            int count = at - start;
            if (count < 1 || count > 9) {
                return null;
            }
            nanos = digits(text, start, count);
            for (int i = count; i < 9; i++) {
                nanos *= 10;
            }
        }
        ZoneOffset offset = offset(text, at);
        if (offset == null) {
            return null;
        }
        try {
            return OffsetDateTime.of(LocalDateTime.of(year, month, day, hour, minute, second, nanos), offset)
                    .withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** {@code ±HH}, {@code ±HH:mm} or {@code ±HH:mm:ss} from {@code at} to the end of the text. */
    private static ZoneOffset offset(String text, int at) {
        int left = text.length() - at;
        if (left != 3 && left != 6 && left != 9) {
            return null;
        }
        char sign = text.charAt(at);
        if (sign != '+' && sign != '-') {
            return null;
        }
        int hours = digits(text, at + 1, 2);
        int minutes = left >= 6 && text.charAt(at + 3) == ':' ? digits(text, at + 4, 2) : left >= 6 ? -1 : 0;
        int seconds = left == 9 && text.charAt(at + 6) == ':' ? digits(text, at + 7, 2) : left == 9 ? -1 : 0;
        if ((hours | minutes | seconds) < 0) {
            return null;
        }
        int signum = sign == '-' ? -1 : 1;
        try {
            return ZoneOffset.ofHoursMinutesSeconds(signum * hours, signum * minutes, signum * seconds);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The number the {@code count} digits at {@code from} write, or -1 if one is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
