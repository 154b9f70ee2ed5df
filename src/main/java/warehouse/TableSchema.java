package warehouse;

import java.util.List;

/**
 * The shape of a captured source table: its columns in order and its primary key.
 *
 * @param deletesCarryWholeRow whether a delete carries the whole old row ({@code REPLICA IDENTITY FULL}) or
 *     only its key columns, the rest arriving as null or as a column default Debezium fills in: then the
 *     history takes the rest of the deleted row from the current state
 */
public record TableSchema(TableId id, List<Column> columns, List<String> primaryKey, boolean deletesCarryWholeRow) {

    public TableSchema {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        if (primaryKey.isEmpty()) {
            throw new IllegalArgumentException("Table " + id + " has no primary key; the warehouse keys its"
                    + " current state by it. Add one, or leave the table out of flightcdc.source.tables");
        }
    }

    /** A table whose deletes carry the whole old row. */
    public TableSchema(TableId id, List<Column> columns, List<String> primaryKey) {
        this(id, columns, primaryKey, true);
    }
}
