package warehouse;

import java.util.List;

/**
 * The shape of a captured source table: its columns in order and its primary key.
 *
 * @param replicaIdentityFull whether the source table has {@code REPLICA IDENTITY FULL}: then every change
 *     carries every value (a delete its whole old row; an update the TOASTed values it leaves unchanged, which
 *     Debezium takes from the old row). Otherwise a delete carries only its key, the rest arriving as null or
 *     as a column default Debezium fills in, and an update lacks its unchanged TOASTed values: the warehouse
 *     takes those from the values it had (see StageRows)
 */
public record TableSchema(TableId id, List<Column> columns, List<String> primaryKey, boolean replicaIdentityFull) {

    public TableSchema {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        if (primaryKey.isEmpty()) {
            throw new IllegalArgumentException("Table " + id + " has no primary key; the warehouse keys its"
                    + " current state by it. Add one, or leave the table out of flightcdc.source.tables");
        }
    }

    /** Where {@code column} stands among the columns. */
    public int indexOf(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) {
                return i;
            }
        }
        throw new IllegalArgumentException(column + " is not a column of " + id);
    }

    /** A table with {@code REPLICA IDENTITY FULL}. */
    public TableSchema(TableId id, List<Column> columns, List<String> primaryKey) {
        this(id, columns, primaryKey, true);
    }
}
