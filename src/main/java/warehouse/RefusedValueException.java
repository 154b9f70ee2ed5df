package warehouse;

/**
 * A value the warehouse cannot carry exactly, found before any SQL runs: its change is set aside in the
 * dead-letter table with this message as the reason, never loaded altered.
 */
public final class RefusedValueException extends Exception {

    public RefusedValueException(String reason) {
        super(reason);
    }

    static RefusedValueException column(Column column, String reason) {
        return new RefusedValueException("column " + column.name() + ": " + reason);
    }
}
