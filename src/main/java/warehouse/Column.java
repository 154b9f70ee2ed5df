package warehouse;

/**
 * A column of a captured table; {@code array} marks a one-dimensional array of {@code type}.
 *
 * <p>{@code precision} and {@code scale} are a numeric's declared ones ({@code numeric(60,20)}), or
 * {@link #UNCONSTRAINED} for a plain {@code numeric}, which holds any number of digits on either side
 * of the point: each dialect keeps such a column in a type that holds every value exactly.
 */
public record Column(String name, ColumnType type, boolean array, int precision, int scale) {

    /** The precision of a numeric declared without one, and of every column of another type. */
    public static final int UNCONSTRAINED = 0;

    public Column(String name, ColumnType type, boolean array) {
        this(name, type, array, UNCONSTRAINED, 0);
    }

    /** A {@code numeric(precision, scale)} column. */
    public static Column numeric(String name, int precision, int scale) {
        return new Column(name, ColumnType.NUMERIC, false, precision, scale);
    }

    /** Whether this is a numeric with a declared precision. */
    public boolean constrained() {
        return precision != UNCONSTRAINED;
    }
}
