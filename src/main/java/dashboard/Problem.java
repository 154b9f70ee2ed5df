package dashboard;

/**
 * What an endpoint of the dashboard answers instead of its data, as JSON.
 *
 * @param kind refused, cancelled or failed for the console; unavailable when the data cannot be read
 * @param message what happened, for a person
 */
public record Problem(String kind, String message) {

    /** Data that could not be read, say the warehouse's: its first line, which says why without a stack trace. */
    public static Problem unavailable(Throwable cause) {
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage().strip();
        int newline = message.indexOf('\n');
        return new Problem("unavailable", newline < 0 ? message : message.substring(0, newline));
    }
}
