package verify;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import warehouse.Column;
import warehouse.TableSchema;

/**
 * How verify reads one database's copy of a table: the SELECT it sends, and each value it reads back in
 * the form {@link ValueNormaliser} gives it, so that equal data hashes alike whichever database held it.
 * Databases differ in how they quote names, in what their drivers hand back, and in what they keep of a
 * value (see {@link #jsonForm}).
 */
public interface TableReading {

    /** An identifier as this database reads it back to the name its catalog holds. */
    String quote(String identifier);

    /** The select-list entry of {@code column}: its quoted name, or an expression giving it in a form {@link #read} takes exactly. */
    String column(Column column);

    /** The value of {@code column} at {@code index} of the current row, as {@link #column} selected it, in ValueNormaliser's form. */
    Object read(ResultSet rs, int index, Column column) throws SQLException;

    /** How JSON is compared against this copy: as its text, unless the database keeps only the value. */
    default JsonForm jsonForm() {
        return JsonForm.TEXT;
    }

    /**
     * Every column of {@code table}, in order, from the object called {@code name} (its parts, outermost
     * first). No ORDER BY: rows are compared by key, in whatever order they come.
     */
    default String select(TableSchema table, List<String> name) {
        return "SELECT " + table.columns().stream().map(this::column).collect(Collectors.joining(", "))
                + " FROM " + name.stream().map(this::quote).collect(Collectors.joining("."));
    }
}
