package verify;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A date or timestamp of {@code infinity} or {@code -infinity}, which both databases have. Their drivers
 * hand those back as different finite values, so each driver's stand-in is named here: pgjdbc's are the
 * java.time classes' MAX and MIN; DuckDB's are what its infinities hold, the largest and smallest 64-bit
 * number of microseconds, which no finite DuckDB timestamp reaches (its last one is a microsecond before).
 */
enum Infinite {
    POSITIVE, NEGATIVE;

    private static final Instant DUCKDB_INFINITY = Instant.EPOCH.plusNanos(Long.MAX_VALUE % 1_000_000 * 1000)
            .plusSeconds(Long.MAX_VALUE / 1_000_000);
    private static final Instant DUCKDB_MINUS_INFINITY = Instant.EPOCH.minusNanos(Long.MAX_VALUE % 1_000_000 * 1000)
            .minusSeconds(Long.MAX_VALUE / 1_000_000);

    /** The infinity {@code text} names, or null when it is a finite value's text (or null). */
    static Infinite of(String text) {
        if ("infinity".equals(text)) {
            return POSITIVE;
        }
        return "-infinity".equals(text) ? NEGATIVE : null;
    }

    /** The infinity a driver's LocalDateTime or OffsetDateTime stands for, or null for a finite value. */
    static Infinite standingIn(Object value) {
        if (value instanceof LocalDateTime t) {
            if (t.equals(LocalDateTime.MAX) || t.toInstant(ZoneOffset.UTC).equals(DUCKDB_INFINITY)) {
                return POSITIVE;
            }
            return t.equals(LocalDateTime.MIN) || t.toInstant(ZoneOffset.UTC).equals(DUCKDB_MINUS_INFINITY) ? NEGATIVE : null;
        }
        if (value instanceof OffsetDateTime t) {
            if (t.equals(OffsetDateTime.MAX) || t.toInstant().equals(DUCKDB_INFINITY)) {
                return POSITIVE;
            }
            return t.equals(OffsetDateTime.MIN) || t.toInstant().equals(DUCKDB_MINUS_INFINITY) ? NEGATIVE : null;
        }
        if (value instanceof LocalDate d) {
            return d.equals(LocalDate.MAX) ? POSITIVE : d.equals(LocalDate.MIN) ? NEGATIVE : null;
        }
        return null;
    }
}
