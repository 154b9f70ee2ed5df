package warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

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
        return rows(table, run, null);
    }

    /**
     * The rows of the changes of {@code run} that can be loaded exactly; each one that cannot is left out and given to
     * {@code refused} with the reason. Rendered here and nowhere before, so that a run's renderings are in the heap only
     * while the run is staged.
     */
    public static List<StageRow> loadable(TableSchema table, List<ChangeEvent> run, BiConsumer<ChangeEvent, String> refused) {
        try {
            return rows(table, run, refused);
        } catch (RefusedValueException e) {
            throw new IllegalStateException("a refused value was not handed on", e); // rows gives every one to refused
        }
    }

    /** @param refused where a change that cannot be loaded goes, or null to throw at the first */
    private static List<StageRow> rows(TableSchema table, List<ChangeEvent> run, BiConsumer<ChangeEvent, String> refused)
            throws RefusedValueException {
        List<ChangeEvent> kept = new ArrayList<>(run.size());
        List<Rendered> rendered = new ArrayList<>(run.size());
        boolean lacksAny = false;
        for (ChangeEvent change : run) {
            Rendered r;
            if (change.operation() == ChangeEvent.Operation.TRUNCATE) {
                r = new Rendered(new String[table.columns().size()], new boolean[table.columns().size()]);
            } else {
                try {
                    r = render(table, change);
                } catch (RefusedValueException e) {
                    if (refused == null) {
                        throw e;
                    }
                    refused.accept(change, e.getMessage());
                    continue;
                }
            }
            kept.add(change);
            rendered.add(r);
            for (boolean lacks : r.lacking()) {
                lacksAny |= lacks;
            }
        }
        List<StageRow> rows = new ArrayList<>(kept.size());
        if (!lacksAny) {
            // The common case, and always so with REPLICA IDENTITY FULL: nothing to take from anywhere.
            for (int i = 0; i < kept.size(); i++) {
                rows.add(new StageRow(kept.get(i), rendered.get(i).values(), null));
            }
            return rows;
        }
        // Per key, the values the run established so far.
        Map<List<String>, Rendered> established = new HashMap<>();
        for (int c = 0; c < kept.size(); c++) {
            ChangeEvent change = kept.get(c);
            String[] values = rendered.get(c).values();
            boolean[] lacking = rendered.get(c).lacking();
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
                established.put(key, rendered.get(c));
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
        // Asked for once: a change held without its row reads it again from its record each time (ChangeEvent#row).
        JsonNode row = change.row();
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            JsonNode value = row.get(column.name());
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
