package e2e;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import verify.SnapshotHasher;
import verify.TableComparison;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.TableSchema;

/**
 * Records every change made to a source table, in the source's own transaction, with every column's value,
 * into {@code audit_<table>}, a table the pipeline does not capture: what the warehouse's history must hold,
 * no more, no less, and with the same values. A change is recorded as Debezium emits it (op c, u or d, the
 * new row, or the old one for a delete); a primary-key update is a delete of the old key and a create of
 * the new one.
 *
 * <p>Both sides are read through verify's own row hash (SnapshotHasher, ValueNormaliser), so a value that
 * arrived altered in any column shows as a change missing from the history and one it should not have.
 */
final class ExactChangeAudit {

    private ExactChangeAudit() {
    }

    /** Creates the audit table and trigger of {@code table} (public schema), whose key is {@code key}. */
    static void install(Connection source, String table, List<String> key) throws SQLException {
        String audit = "audit_" + table;
        String oldKey = key.stream().map(k -> "OLD." + k).collect(Collectors.joining(", "));
        String newKey = key.stream().map(k -> "NEW." + k).collect(Collectors.joining(", "));
        try (Statement s = source.createStatement()) {
            // LIKE copies the columns in order, a generated one as a plain column holding the generated value.
            s.execute("CREATE TABLE " + audit + " (LIKE " + table + ", _op text NOT NULL, _seq bigserial)");
            s.execute("""
                    CREATE FUNCTION %1$s() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF TG_OP = 'INSERT' THEN
                            INSERT INTO %1$s SELECT NEW.*, 'c';
                        ELSIF TG_OP = 'DELETE' THEN
                            INSERT INTO %1$s SELECT OLD.*, 'd';
                        ELSIF ROW(%2$s) IS DISTINCT FROM ROW(%3$s) THEN
                            INSERT INTO %1$s SELECT OLD.*, 'd';
                            INSERT INTO %1$s SELECT NEW.*, 'c';
                        ELSE
                            INSERT INTO %1$s SELECT NEW.*, 'u';
                        END IF;
                        RETURN NULL;
                    END $$""".formatted(audit, oldKey, newKey));
            s.execute("CREATE TRIGGER " + audit + " AFTER INSERT OR UPDATE OR DELETE ON " + table
                    + " FOR EACH ROW EXECUTE FUNCTION " + audit + "()");
        }
    }

    /** Each change recorded in the source, as "op key#hash", with how often it happened. */
    static Map<String, Long> recorded(Connection source, TableSchema table) throws SQLException {
        return changes(source, List.of("public", "audit_" + table.id().name()), table);
    }

    /** The same for the warehouse's history of the table. */
    static Map<String, Long> loaded(Connection warehouse, TableSchema table) throws SQLException {
        return changes(warehouse, List.of(table.id().name() + "_history"), table);
    }

    /** "op key" of each entry, without the hash: which changes, for an assertion. */
    static List<String> changesOf(Map<String, Long> entries) {
        List<String> changes = new ArrayList<>();
        entries.forEach((entry, n) -> {
            for (long i = 0; i < n; i++) {
                changes.add(entry.substring(0, entry.indexOf('#')));
            }
        });
        changes.sort(null);
        return changes;
    }

    private static Map<String, Long> changes(Connection c, List<String> name, TableSchema table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        columns.add(new Column("_op", ColumnType.TEXT, false));
        columns.addAll(table.columns());
        List<String> key = new ArrayList<>(List.of("_op"));
        key.addAll(table.primaryKey());
        SnapshotHasher hasher = new SnapshotHasher(new TableSchema(table.id(), columns, key));
        Map<String, Long> changes = new HashMap<>();
        hasher.hashRows(new TableComparison.Location(c, name), (values, hash) -> changes.merge(
                values.stream().map(String::valueOf).collect(Collectors.joining(" ")) + "#" + Long.toHexString(hash),
                1L, Long::sum));
        return changes;
    }
}
