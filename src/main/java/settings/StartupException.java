package settings;

/** The pipeline cannot start for a reason the user can fix; the message says what to do. */
public class StartupException extends RuntimeException {

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
