package e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Records every change made to the audited source tables, in the writing transaction itself, into a
 * table the pipeline does not capture: what the warehouse's history must hold, no more and no less. A
 * change is recorded as Debezium emits it: op c/u/d, the table's name, its key and one column of the row
 * that tells its versions apart (the new row's, the old row's for a delete). A primary-key update is a
 * delete of the old key and a create of the new one; so is an update that moves a row to another
 * partition, which PostgreSQL itself runs as a delete and an insert (and fires those triggers for). A
 * TRUNCATE is one 't' per table, without a key. A change rolled back (a savepoint, a whole transaction)
 * takes its record with it.
 *
 * <p>Both sides are read as multisets of "table op key payload", so a change missing or loaded twice
 * shows as a difference. Keys of several columns are joined with '|'.
 */
final class ChangeAudit {

    /**
     * A captured table and what the audit records of it. {@code payload} is a text column, equal in the
     * source and the warehouse as text, whose value changes with each write the test makes.
     */
    record Table(String name, List<String> key, String payload) {
        Table {
            key = List.copyOf(key);
        }
    }

    /** The pipeline's own table, as the chaos test audits it. */
    static final Table FLIGHT_STATE = new Table("flight_state", List.of("icao24"), "callsign");
    /** The chaos test's second table, written in some of flight_state's transactions (see ChangeGenerator). */
    static final Table FLIGHT_NOTE = new Table("flight_note", List.of("icao24"), "note");

    /**
     * Unlogged: its rows are not WAL-logged, so the decoder neither reads nor spills them with the changes it
     * sends (an audit row per change would double its work), and they still commit and roll back with the
     * writing transaction. The tests never crash PostgreSQL, which would empty it.
     */
    private static final String CREATE_AUDIT_TABLE = """
            CREATE UNLOGGED TABLE IF NOT EXISTS change_audit (
                seq        bigserial PRIMARY KEY,
                table_name text NOT NULL,
                op         text NOT NULL,
                key        text,
                payload    text
            )""";

    private ChangeAudit() {
    }

    /** Audits flight_state: what the chaos test compares. */
    static void install(Connection source) throws SQLException {
        install(source, FLIGHT_STATE);
    }

    /**
     * Installs the audit on {@code table}: a trigger function of its own (it names the table's columns, which
     * keeps a transaction of hundreds of thousands of changes cheap), fired after each row change and each TRUNCATE.
     * On a partitioned table the triggers are made on the parent, and PostgreSQL runs them for every partition.
     */
    static void install(Connection source, Table table) throws SQLException {
        String function = "change_audit_" + table.name();
        String name = literal(table.name());
        String payload = table.payload();
        try (Statement s = source.createStatement()) {
            s.execute(CREATE_AUDIT_TABLE);
            s.execute("""
                    CREATE FUNCTION %1$s() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF TG_OP = 'TRUNCATE' THEN
                            INSERT INTO change_audit (table_name, op) VALUES (%2$s, 't');
                        ELSIF TG_OP = 'INSERT' THEN
                            INSERT INTO change_audit (table_name, op, key, payload) VALUES (%2$s, 'c', %3$s, NEW.%4$s);
                        ELSIF TG_OP = 'DELETE' THEN
                            INSERT INTO change_audit (table_name, op, key, payload) VALUES (%2$s, 'd', %5$s, OLD.%4$s);
                        ELSIF %5$s IS DISTINCT FROM %3$s THEN
                            INSERT INTO change_audit (table_name, op, key, payload)
                            VALUES (%2$s, 'd', %5$s, OLD.%4$s), (%2$s, 'c', %3$s, NEW.%4$s);
                        ELSE
                            INSERT INTO change_audit (table_name, op, key, payload) VALUES (%2$s, 'u', %3$s, NEW.%4$s);
                        END IF;
                        RETURN NULL;
                    END $$""".formatted(function, name, keyOf("NEW", table), payload, keyOf("OLD", table)));
            s.execute("CREATE TRIGGER " + function + " AFTER INSERT OR UPDATE OR DELETE ON " + table.name()
                    + " FOR EACH ROW EXECUTE FUNCTION " + function + "()");
            s.execute("CREATE TRIGGER " + function + "_truncate AFTER TRUNCATE ON " + table.name()
                    + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()");
        }
    }

    /** Each change recorded to flight_state, with how often it happened. */
    static Map<String, Long> recorded(Connection source) throws SQLException {
        return recorded(source, FLIGHT_STATE, "");
    }

    /** The same for flight_state's history in the warehouse. */
    static Map<String, Long> loaded(Connection warehouse) throws SQLException {
        return loaded(warehouse, FLIGHT_STATE, "");
    }

    /** The row changes recorded to {@code table} whose key starts with {@code keyPrefix}. */
    static Map<String, Long> recorded(Connection source, Table table, String keyPrefix) throws SQLException {
        return multiset(source, table, "SELECT op, key, payload FROM change_audit"
                + " WHERE table_name = ? AND op <> 't' AND key LIKE ?", table.name(), keyPrefix + "%");
    }

    /** The row changes in {@code table}'s history in the warehouse whose key starts with {@code keyPrefix}. */
    static Map<String, Long> loaded(Connection warehouse, Table table, String keyPrefix) throws SQLException {
        String key = table.key().stream().map(ChangeAudit::quoted).map(c -> "CAST(" + c + " AS VARCHAR)")
                .collect(Collectors.joining(" || '|' || "));
        return multiset(warehouse, table, "SELECT _op, " + key + ", " + quoted(table.payload()) + " FROM "
                + quoted(table.name() + "_history") + " WHERE _op <> 't' AND CAST(" + quoted(table.key().get(0)) + " AS VARCHAR) LIKE ?",
                keyPrefix + "%");
    }

    /** The TRUNCATEs recorded to {@code table}. */
    static Map<String, Long> recordedTruncates(Connection source, Table table) throws SQLException {
        return multiset(source, table, "SELECT op, key, payload FROM change_audit WHERE table_name = ? AND op = 't'",
                table.name());
    }

    /** The TRUNCATEs in {@code table}'s history in the warehouse. */
    static Map<String, Long> loadedTruncates(Connection warehouse, Table table) throws SQLException {
        return multiset(warehouse, table, "SELECT _op, NULL, NULL FROM " + quoted(table.name() + "_history")
                + " WHERE _op = 't'");
    }

    /** How many changes, truncates included, were recorded to {@code table}. */
    static long count(Connection source, ChangeAudit.Table table) throws SQLException {
        return single(source, "SELECT count(*) FROM change_audit WHERE table_name = ?", table.name());
    }

    /** How many rows {@code table}'s history holds in the warehouse. */
    static long historyRows(Connection warehouse, ChangeAudit.Table table) throws SQLException {
        return single(warehouse, "SELECT count(*) FROM " + quoted(table.name() + "_history"));
    }

    /**
     * The source transactions whose changes in one Kafka partition reached the warehouse in more than one warehouse
     * transaction, with how many changes each made: every row a warehouse transaction writes has the same
     * {@code _loaded_at}, its start. With one partition, a transaction loaded in parts; with several, each partition's
     * share is loaded whole, and the shares may be loaded apart (docs/delivery-guarantees.md).
     */
    static Map<Long, Long> transactionsLoadedInParts(Connection warehouse, List<Table> tables) throws SQLException {
        String changes = tables.stream().map(t -> "SELECT _tx_id, _kafka_partition, _loaded_at FROM "
                + quoted(t.name() + "_history") + " WHERE _tx_id IS NOT NULL").collect(java.util.stream.Collectors.joining(" UNION ALL "));
        Map<Long, Long> inParts = new HashMap<>();
        try (var s = warehouse.createStatement(); var rs = s.executeQuery("SELECT _tx_id, sum(changes) FROM ("
                + "SELECT _tx_id, _kafka_partition, count(*) AS changes, count(DISTINCT _loaded_at) AS loads FROM ("
                + changes + ") AS c GROUP BY _tx_id, _kafka_partition) AS p GROUP BY _tx_id HAVING max(loads) > 1")) {
            while (rs.next()) {
                inParts.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return inParts;
    }

    /** What {@code a} holds more often than {@code b}, and how many times more. */
    static Map<String, Long> difference(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> more = new HashMap<>();
        a.forEach((change, count) -> {
            long excess = count - b.getOrDefault(change, 0L);
            if (excess > 0) {
                more.put(change, excess);
            }
        });
        return more;
    }

    /** The number of changes in a multiset. */
    static long size(Map<String, Long> changes) {
        return changes.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Rows of (op, key, payload) as "table op key payload", counted. */
    private static Map<String, Long> multiset(Connection c, Table table, String sql, String... parameters)
            throws SQLException {
        Map<String, Long> changes = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    changes.merge(table.name() + " " + rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3),
                            1L, Long::sum);
                }
            }
        }
        return changes;
    }

    private static long single(Connection c, String sql, String... parameters) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The key as the audit records it: the key columns as text, joined with '|'. */
    private static String keyOf(String row, Table table) {
        List<String> parts = new ArrayList<>();
        for (String column : table.key()) {
            parts.add(row + "." + column + "::text");
        }
        return String.join(" || '|' || ", parts);
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
