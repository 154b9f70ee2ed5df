package dashboard;

/** Why the console returned no result: what the page shows, and the HTTP status it is answered with. */
public final class ConsoleException extends RuntimeException {

    /** The ways a query ends without a result, each with its HTTP status. */
    public enum Reason {
        /** Not run: it would not only read, or the console is off on this warehouse. */
        REFUSED(403),
        /** Cancelled when it ran for longer than flightcdc.http.query-timeout-ms. */
        CANCELLED(504),
        /** The warehouse could not run it (a syntax error, an unknown table): its own message. */
        FAILED(400);

        private final int status;

        Reason(int status) {
            this.status = status;
        }
    }

    private final Reason reason;

    public ConsoleException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public int status() {
        return reason.status;
    }

    /** As the page receives it. */
    public Problem problem() {
        return new Problem(reason.name().toLowerCase(java.util.Locale.ROOT), getMessage());
    }
}
