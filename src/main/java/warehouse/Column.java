package warehouse;

/** A column of a captured table; {@code array} marks a one-dimensional array of {@code type}. */
public record Column(String name, ColumnType type, boolean array) {
}
