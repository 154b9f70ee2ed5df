package opensky;

/** A state vector (or a whole response) that was refused: why, and what exactly was received. */
public record Rejection(String reason, String raw) {

    /** PostgreSQL's text type cannot hold NUL, and a refused body may be binary garbage. */
    private static final char NUL = '\u0000';

    public Rejection {
        reason = storable(reason);
        raw = storable(raw);
    }

    /**
     * This rejection with at most {@code maxChars} of its raw text: a hostile payload must not fill
     * the rejected_state table. The reason says how much was cut.
     */
    public Rejection keepingAtMost(int maxChars) {
        if (raw.length() <= maxChars) {
            return this;
        }
        return new Rejection(reason + " (" + raw.length() + " characters received, first " + maxChars + " kept)",
                raw.substring(0, maxChars));
    }

    private static String storable(String text) {
        return text == null ? "" : text.replace(NUL, '\uFFFD');
    }
}
