package warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows a run of changes to one table puts in its staging table: each change's values as
 * {@link StageText}, and which values the change does not carry. A change lacks a value when Debezium
 * sent its {@link UnavailableValue} (an unchanged TOASTed column), and a delete of a table without
 * {@code REPLICA IDENTITY FULL} lacks every column but its key.
 *
 * <p>A lacking value is taken from the latest earlier change of the same key in the run, here; when the
 * run has none, the warehouse takes it from its current state (see MergeSqlGenerator), so the history
 * holds the value as it was and the current state keeps it. The placeholder itself is never staged.
 */
public final class StageRows {

    /** In {@link StageRow#unavailable}: the column's value is to be taken from the current state. */
    public static final char UNAVAILABLE = '1';
    private static final char AVAILABLE = '0';

    private StageRows() {
    }

    /**
     * @throws RefusedValueException naming the first change of {@code run} that cannot be loaded exactly;
     *     {@link #refusal} finds those beforehand
     */
    public static List<StageRow> of(TableSchema table, List<ChangeEvent> run) throws RefusedValueException {
        return of(table, run, Map.of());
    }

    /**
     * As {@link #of(TableSchema, List)}, taking a change's values from {@code renderedBefore} where it holds them (as
     * {@link #render} gave them, found by the change's identity) rather than rendering them again.
     */
    public static List<StageRow> of(TableSchema table, List<ChangeEvent> run, Map<ChangeEvent, Rendered> renderedBefore)
            throws RefusedValueException {
        List<Rendered> rendered = new ArrayList<>(run.size());
        boolean lacksAny = false;
        for (ChangeEvent change : run) {
            Rendered before = renderedBefore.get(change);
            Rendered r = change.operation() == ChangeEvent.Operation.TRUNCATE
                    ? new Rendered(new String[table.columns().size()], new boolean[table.columns().size()])
                    : before != null ? before : render(table, change);
            rendered.add(r);
            for (boolean lacks : r.lacking()) {
                lacksAny |= lacks;
            }
        }
        List<StageRow> rows = new ArrayList<>(run.size());
        if (!lacksAny) {
            // The common case, and always so with REPLICA IDENTITY FULL: nothing to take from anywhere.
            for (int i = 0; i < run.size(); i++) {
                rows.add(new StageRow(run.get(i), rendered.get(i).values(), null));
            }
            return rows;
        }
        // Per key, the values the run established so far. A change's own arrays are left as they were rendered: a
        // rendering given is used again should the run be loaded again in parts.
        Map<List<String>, Rendered> established = new HashMap<>();
        for (int c = 0; c < run.size(); c++) {
            ChangeEvent change = run.get(c);
            String[] values = rendered.get(c).values().clone();
            boolean[] lacking = rendered.get(c).lacking().clone();
            if (change.operation() == ChangeEvent.Operation.TRUNCATE) {
                established.clear();
                rows.add(new StageRow(change, values, null));
                continue;
            }
            List<String> key = key(table, values);
            Rendered earlier = established.get(key);
            boolean lacks = false;
            for (int i = 0; i < values.length; i++) {
                if (lacking[i] && earlier != null && !earlier.lacking()[i]) {
                    values[i] = earlier.values()[i];
                    lacking[i] = false;
                }
                lacks |= lacking[i];
            }
            if (change.operation() == ChangeEvent.Operation.DELETE) {
                established.remove(key);
            } else {
                established.put(key, new Rendered(values, lacking));
            }
            rows.add(new StageRow(change, values, lacks ? flags(lacking) : null));
        }
        return rows;
    }

    /** Why {@code change} cannot be loaded exactly, or null when it can. */
    public static String refusal(TableSchema table, ChangeEvent change) {
        if (change.operation() == ChangeEvent.Operation.TRUNCATE) {
            return null;
        }
        try {
            render(table, change);
            return null;
        } catch (RefusedValueException e) {
            return e.getMessage();
        }
    }

    /**
     * One change's values as text, and which of them it lacks, with nothing taken from other changes yet.
     *
     * @throws RefusedValueException when the change cannot be loaded exactly
     */
    public static Rendered render(TableSchema table, ChangeEvent change) throws RefusedValueException {
        boolean keyOnly = change.operation() == ChangeEvent.Operation.DELETE && !table.replicaIdentityFull();
        List<Column> columns = table.columns();
        String[] values = new String[columns.size()];
        boolean[] lacking = new boolean[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            JsonNode value = change.row().get(column.name());
            boolean inKey = table.primaryKey().contains(column.name());
            if (UnavailableValue.in(value) || keyOnly && !inKey) {
                if (inKey) {
                    throw RefusedValueException.column(column, "the change does not carry its key column's value"
                            + " (an unchanged TOASTed value), so it cannot be applied to any row");
                }
                if (change.operation() == ChangeEvent.Operation.CREATE || change.operation() == ChangeEvent.Operation.READ) {
                    throw RefusedValueException.column(column, "a new row arrives without its value (Debezium's placeholder"
                            + " for an unchanged TOASTed value: the new row of a primary-key update under REPLICA IDENTITY"
                            + " DEFAULT), and the warehouse has no row of that key to take it from; set REPLICA IDENTITY"
                            + " FULL on the table to carry it");
                }
                lacking[i] = true;
            } else {
                values[i] = StageText.of(value, column);
            }
        }
        return new Rendered(values, lacking);
    }

    private static List<String> key(TableSchema table, String[] values) {
        List<String> key = new ArrayList<>(table.primaryKey().size());
        for (String name : table.primaryKey()) {
            key.add(values[table.indexOf(name)]);
        }
        return key;
    }

    private static String flags(boolean[] lacking) {
        char[] flags = new char[lacking.length];
        for (int i = 0; i < lacking.length; i++) {
            flags[i] = lacking[i] ? UNAVAILABLE : AVAILABLE;
        }
        return new String(flags);
    }

    /**
     * A change's values in the table's column order as {@link StageText}, null for SQL NULL or a lacking value,
     * and which values it lacks.
     */
    public record Rendered(String[] values, boolean[] lacking) {
    }

    /**
     * One staged row.
     *
     * @param values      the columns' texts in the table's column order, null for SQL NULL or a lacking value
     * @param unavailable null when the change carries every value; else one character per column,
     *                    {@link #UNAVAILABLE} where the value is to be taken from the current state
     */
    public record StageRow(ChangeEvent change, String[] values, String unavailable) {
    }
}
