package warehouse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the warehouse's tables as wide as the source's while the pipeline runs. A change that
 * carries a column the warehouse does not know means the source table gained it: the table is
 * described again from the source catalog and the warehouse tables are widened before the batch
 * is loaded, so no value of the new column is lost and no restart is needed. A column the source
 * dropped stays in the warehouse, which keeps its history; later rows hold NULL there.
 */
public final class SchemaEvolution {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaEvolution.class);

    /** Reads a table's current shape from the source. */
    @FunctionalInterface
    public interface SourceSchemas {
        TableSchema describe(TableId table) throws Exception;
    }

    private final SourceSchemas source;
    private final Warehouse warehouse;
    /** Read by every consumer thread of the load; a table's entries are replaced, never changed in place. */
    private final Map<TableId, TableSchema> known = new ConcurrentHashMap<>();
    private final Map<TableId, Set<String>> knownColumns = new ConcurrentHashMap<>();

    public SchemaEvolution(SourceSchemas source, Warehouse warehouse, List<TableSchema> prepared) {
        this.source = source;
        this.warehouse = warehouse;
        prepared.forEach(this::remember);
    }

    /** Widens the warehouse for any new column in {@code batch}; returns the batch unchanged. */
    public ChangeBatch follow(ChangeBatch batch) throws Exception {
        for (ChangeEvent change : batch.changes()) {
            Set<String> columns = knownColumns.get(change.table());
            if (columns != null && hasUnknownField(change, columns)) {
                widen(known.get(change.table()), change);
            }
        }
        return batch;
    }

    /** One consumer at a time; a second one with the same new column finds it known once it gets here. */
    private synchronized void widen(TableSchema current, ChangeEvent change) throws Exception {
        if (!hasUnknownField(change, knownColumns.get(current.id()))) {
            return;
        }
        current = known.get(current.id());
        TableSchema described = source.describe(current.id());
        List<Column> columns = new ArrayList<>(current.columns());
        List<String> added = new ArrayList<>();
        for (Column c : described.columns()) {
            if (!knownColumns.get(current.id()).contains(c.name())) {
                columns.add(c);
                added.add(c.name() + " " + c.type() + (c.array() ? "[]" : ""));
            }
        }
        // The source may have dropped the column again since this change was made: keep its values as text.
        Set<String> describedNames = new HashSet<>();
        columns.forEach(c -> describedNames.add(c.name()));
        for (String field : fieldNames(change)) {
            if (!describedNames.contains(field)) {
                columns.add(new Column(field, ColumnType.TEXT, false));
                added.add(field + " TEXT (no longer in the source catalog)");
            }
        }
        TableSchema widened = new TableSchema(current.id(), columns, current.primaryKey(), described.replicaIdentityFull());
        warehouse.prepare(List.of(widened));
        remember(widened);
        LOG.info("Source table {} gained column{} {}: the warehouse tables now have {}", current.id(),
                added.size() == 1 ? "" : "s", String.join(", ", added), added.size() == 1 ? "it" : "them");
    }

    private void remember(TableSchema schema) {
        known.put(schema.id(), schema);
        Set<String> names = new HashSet<>();
        schema.columns().forEach(c -> names.add(c.name()));
        knownColumns.put(schema.id(), names);
    }

    private static boolean hasUnknownField(ChangeEvent change, Set<String> columns) {
        for (Iterator<String> it = change.row().fieldNames(); it.hasNext(); ) {
            if (!columns.contains(it.next())) {
                return true;
            }
        }
        return false;
    }

    private static List<String> fieldNames(ChangeEvent change) {
        List<String> names = new ArrayList<>(change.row().size());
        for (Iterator<String> it = change.row().fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
