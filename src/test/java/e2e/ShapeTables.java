package e2e;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;

/**
 * The source tables the write-shape matrix writes to, beside the pipeline's own flight_state: plain column
 * types, text keys (each case writes keys of its own prefix), one text column that tells a row's versions
 * apart (what the audit records), and every table with REPLICA IDENTITY FULL so deletes carry the old row.
 */
final class ShapeTables {

    /** Most shapes: one table, one key column. */
    static final ChangeAudit.Table ITEM = new ChangeAudit.Table("shape_item", List.of("id"), "note");
    /** A parent ... */
    static final ChangeAudit.Table ORDER = new ChangeAudit.Table("shape_order", List.of("id"), "note");
    /** ... and its child, whose key holds the parent's key: ON UPDATE CASCADE changes the child's key. */
    static final ChangeAudit.Table ORDER_LINE = new ChangeAudit.Table("shape_order_line", List.of("order_id", "line"), "note");
    /** Partitioned by region; the partition key is part of the primary key, as PostgreSQL requires. */
    static final ChangeAudit.Table READING = new ChangeAudit.Table("shape_reading", List.of("id", "region"), "note");
    /** The large statements and the large transaction, apart so the other cases compare small tables. */
    static final ChangeAudit.Table BULK = new ChangeAudit.Table("shape_bulk", List.of("id"), "note");

    static final List<ChangeAudit.Table> MATRIX = List.of(ITEM, ORDER, ORDER_LINE, READING, BULK);

    /** Every table the pipeline captures, flight_state first. */
    static final List<ChangeAudit.Table> CAPTURED = Stream.concat(Stream.of(ChangeAudit.FLIGHT_STATE), MATRIX.stream())
            .toList();

    private static final String CREATE = """
            CREATE TABLE shape_item (
                id         text PRIMARY KEY,
                qty        int,
                price      numeric(10,2),
                note       text,
                changed_at timestamptz DEFAULT now()   -- stable, not volatile: COPY still inserts in batches
            );
            CREATE TABLE shape_order (
                id       text PRIMARY KEY,
                customer text,
                note     text
            );
            CREATE TABLE shape_order_line (
                order_id text REFERENCES shape_order (id) ON DELETE CASCADE ON UPDATE CASCADE,
                line     int,
                qty      int,
                note     text,
                PRIMARY KEY (order_id, line)
            );
            CREATE TABLE shape_reading (
                id      text,
                region  text,
                value   numeric(10,2),
                note    text,
                read_at timestamptz,
                PRIMARY KEY (id, region)
            ) PARTITION BY LIST (region);
            CREATE TABLE shape_reading_eu PARTITION OF shape_reading FOR VALUES IN ('eu');
            CREATE TABLE shape_reading_us PARTITION OF shape_reading FOR VALUES IN ('us');
            CREATE TABLE shape_reading_other PARTITION OF shape_reading DEFAULT;
            -- Not captured: written in the same transactions as captured tables, as applications do.
            CREATE TABLE shape_note (
                id   bigserial PRIMARY KEY,
                note text
            );
            CREATE TABLE shape_bulk (
                id   text PRIMARY KEY,
                n    bigint,
                note text
            );
            ALTER TABLE shape_item REPLICA IDENTITY FULL;
            ALTER TABLE shape_order REPLICA IDENTITY FULL;
            ALTER TABLE shape_order_line REPLICA IDENTITY FULL;
            ALTER TABLE shape_bulk REPLICA IDENTITY FULL;
            -- PostgreSQL does not pass a partitioned table's replica identity down: each partition has its own,
            -- and it is the partition's that decides what an update or delete logs of the old row.
            ALTER TABLE shape_reading REPLICA IDENTITY FULL;
            ALTER TABLE shape_reading_eu REPLICA IDENTITY FULL;
            ALTER TABLE shape_reading_us REPLICA IDENTITY FULL;
            ALTER TABLE shape_reading_other REPLICA IDENTITY FULL;
            """;

    private ShapeTables() {
    }

    /** Creates the matrix tables and audits every captured table; flight_state must exist (the source's migrations). */
    static void create(Connection source) throws SQLException {
        try (Statement s = source.createStatement()) {
            s.execute(CREATE);
        }
        for (ChangeAudit.Table table : CAPTURED) {
            ChangeAudit.install(source, table);
        }
    }

    /** Orders {@code from..to} (keys {@code prefix} and 3 digits) with {@code lines} lines each: (1 + lines) changes per order. */
    static long insertOrders(Connection c, String prefix, int from, int to, int lines) throws SQLException {
        return SourceSql.update(c, "INSERT INTO shape_order (id, customer, note) SELECT '" + prefix
                + "' || lpad(o::text, 3, '0'), 'customer ' || o, 'new' FROM generate_series(" + from + ", " + to + ") o")
                + SourceSql.update(c, "INSERT INTO shape_order_line (order_id, line, qty, note) SELECT '" + prefix
                + "' || lpad(o::text, 3, '0'), l, o * l, 'line ' || l FROM generate_series(" + from + ", " + to + ") o,"
                + " generate_series(1, " + lines + ") l");
    }

    /** The captured tables as flightcdc.source.tables lists them. */
    static String setting() {
        return String.join(",", CAPTURED.stream().map(t -> "public." + t.name()).toList());
    }
}
