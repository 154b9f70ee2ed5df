package warehouse;

import java.util.List;

/** The shape of a captured source table: its columns in order and its primary key. */
public record TableSchema(TableId id, List<Column> columns, List<String> primaryKey) {

    public TableSchema {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        if (primaryKey.isEmpty()) {
            throw new IllegalArgumentException("Table " + id + " has no primary key; the warehouse keys its"
                    + " current state by it. Add one, or leave the table out of flightcdc.source.tables");
        }
    }
}
