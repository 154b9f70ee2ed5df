package e2e;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import source.SourceCatalog;
import verify.TableComparison;
import warehouse.TableId;

/**
 * The two checks of one write shape on one table, limited to the keys the shape wrote (its key prefix), so
 * that a shape that breaks names itself and does not fail the shapes after it: the warehouse's history holds
 * each audited change exactly once, and the current state equals the source's rows (verify's comparison).
 *
 * @param changes     the source changes the audit recorded
 * @param differences each difference found, readable; none when the shape arrived exactly
 */
record ShapeCheck(long changes, List<String> differences) {

    private static final int EXAMPLES = 5;

    /** Both checks of the keys starting with {@code keyPrefix}. */
    static ShapeCheck of(Connection source, Connection warehouse, SourceCatalog catalog, ChangeAudit.Table table,
                         String keyPrefix) throws SQLException {
        return history(source, warehouse, table, keyPrefix).and(currentState(source, warehouse, catalog, table, keyPrefix));
    }

    /** The audited changes of the keys starting with {@code keyPrefix}, each in the warehouse's history once. */
    static ShapeCheck history(Connection source, Connection warehouse, ChangeAudit.Table table, String keyPrefix)
            throws SQLException {
        Map<String, Long> recorded = ChangeAudit.recorded(source, table, keyPrefix);
        Map<String, Long> loaded = ChangeAudit.loaded(warehouse, table, keyPrefix);
        List<String> differences = new ArrayList<>();
        describe(differences, table.name() + "_history lacks", ChangeAudit.difference(recorded, loaded));
        describe(differences, table.name() + "_history holds beyond the source's changes", ChangeAudit.difference(loaded, recorded));
        return new ShapeCheck(ChangeAudit.size(recorded), differences);
    }

    /** The warehouse's current rows of the keys starting with {@code keyPrefix} ("" for all) equal the source's. */
    static ShapeCheck currentState(Connection source, Connection warehouse, SourceCatalog catalog, ChangeAudit.Table table,
                                   String keyPrefix) throws SQLException {
        TableComparison current = TableComparison.compare(catalog.describe(new TableId("public", table.name())),
                new TableComparison.Location(source, List.of("public", table.name())),
                new TableComparison.Location(warehouse, List.of(table.name())), Integer.MAX_VALUE);
        List<String> differences = new ArrayList<>();
        describe(differences, table.name() + " keys missing in the warehouse", ofShape(current.missing(), keyPrefix));
        describe(differences, table.name() + " keys extra in the warehouse", ofShape(current.extra(), keyPrefix));
        describe(differences, table.name() + " keys with other values in the warehouse", ofShape(current.different(), keyPrefix));
        return new ShapeCheck(0, differences);
    }

    /** The TRUNCATEs of {@code table}: each one in the history once. */
    static ShapeCheck truncates(Connection source, Connection warehouse, ChangeAudit.Table table) throws SQLException {
        Map<String, Long> recorded = ChangeAudit.recordedTruncates(source, table);
        Map<String, Long> loaded = ChangeAudit.loadedTruncates(warehouse, table);
        List<String> differences = new ArrayList<>();
        describe(differences, table.name() + "_history lacks", ChangeAudit.difference(recorded, loaded));
        describe(differences, table.name() + "_history holds beyond the source's changes", ChangeAudit.difference(loaded, recorded));
        return new ShapeCheck(ChangeAudit.size(recorded), differences);
    }

    ShapeCheck and(ShapeCheck other) {
        return new ShapeCheck(changes + other.changes, Stream.concat(differences.stream(), other.differences.stream()).toList());
    }

    /** Keys as verify lists them: the value, or "(value, value)" for a key of several columns. */
    private static List<String> ofShape(TableComparison.Keys keys, String keyPrefix) {
        return keys.listed().stream().filter(k -> k.replaceFirst("^\\(", "").startsWith(keyPrefix)).toList();
    }

    private static void describe(List<String> differences, String what, Map<String, Long> changes) {
        if (!changes.isEmpty()) {
            differences.add(what + " " + ChangeAudit.size(changes) + " changes (" + changes.size() + " distinct), e.g. "
                    + changes.entrySet().stream().sorted(Map.Entry.comparingByKey()).limit(EXAMPLES)
                            .map(e -> e.getKey() + (e.getValue() > 1 ? " ×" + e.getValue() : "")).toList());
        }
    }

    private static void describe(List<String> differences, String what, List<String> keys) {
        if (!keys.isEmpty()) {
            differences.add(what + ": " + keys.size() + ", e.g. " + keys.stream().sorted().limit(EXAMPLES).toList());
        }
    }
}
