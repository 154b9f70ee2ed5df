package verify;

/**
 * A date or timestamp of {@code infinity} or {@code -infinity}, which both databases have. Their drivers
 * hand those back as different finite dates (pgjdbc as its own sentinels, DuckDB as its largest value),
 * so they are compared by the word both print for them.
 */
enum Infinite {
    POSITIVE, NEGATIVE;

    /** The infinity {@code text} names, or null when it is a finite value's text (or null). */
    static Infinite of(String text) {
        if ("infinity".equals(text)) {
            return POSITIVE;
        }
        return "-infinity".equals(text) ? NEGATIVE : null;
    }
}
