package source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.TableId;
import warehouse.TableSchema;

/**
 * Reads the shape of captured tables from PostgreSQL's catalog, so the warehouse tables are made
 * from the source's own column types rather than from a second hand-written copy of the schema.
 *
 * <p>A domain is its base type with the domain's modifier (a domain over {@code numeric(12,3)} is a
 * {@code numeric(12,3)}), as Debezium sends it; an enum is text, its label. A generated column is left
 * out: PostgreSQL 17's pgoutput does not publish it, so no change would ever carry its value. And whether
 * the table has REPLICA IDENTITY FULL, which decides what its changes carry.
 */
public final class SourceCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(SourceCatalog.class);

    private static final String COLUMNS = """
            SELECT a.attname, a.atttypid, a.atttypmod, a.attgenerated <> '' AS generated
            FROM pg_attribute a
            WHERE a.attrelid = format('%I.%I', ?, ?)::regclass AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """;

    private static final String TYPE = """
            SELECT typname, typtype, typbasetype, typtypmod, typcategory = 'A' AS is_array, typelem
            FROM pg_type WHERE oid = ?
            """;

    private static final String PRIMARY_KEY = """
            SELECT a.attname
            FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = format('%I.%I', ?, ?)::regclass AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)
            """;

    private static final String REPLICA_IDENTITY = "SELECT relreplident FROM pg_class WHERE oid = format('%I.%I', ?, ?)::regclass";

    /** PostgreSQL's varlena header, which a numeric's type modifier counts in. */
    private static final int VARHDRSZ = 4;

    private final DataSource dataSource;

    public SourceCatalog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public TableSchema describe(TableId table) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<Column> columns = new ArrayList<>();
            try (ResultSet rs = query(c, COLUMNS, table)) {
                while (rs.next()) {
                    String name = rs.getString("attname");
                    if (rs.getBoolean("generated")) {
                        LOG.info("Column {}.{} is generated: PostgreSQL's pgoutput does not publish generated columns, so the"
                                + " warehouse leaves it out (compute it there from the columns it is made of)", table, name);
                        continue;
                    }
                    columns.add(column(c, table, name, rs.getLong("atttypid"), rs.getInt("atttypmod")));
                }
            } catch (SQLException e) {
                throw new SQLException("Cannot read table " + table + " from the source catalog (does it exist?"
                        + " check flightcdc.source.tables): " + e.getMessage(), e.getSQLState(), e);
            }
            List<String> key = new ArrayList<>();
            try (ResultSet rs = query(c, PRIMARY_KEY, table)) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
            boolean replicaIdentityFull;
            try (ResultSet rs = query(c, REPLICA_IDENTITY, table)) {
                rs.next();
                replicaIdentityFull = "f".equals(rs.getString(1));
            }
            return new TableSchema(table, columns, key, replicaIdentityFull);
        }
    }

    /** The column of type {@code typeId} with modifier {@code typeModifier}, domains resolved to their base type. */
    private static Column column(Connection c, TableId table, String name, long typeId, int typeModifier) throws SQLException {
        long id = typeId;
        int modifier = typeModifier;
        boolean array = false;
        while (true) {
            try (PreparedStatement ps = c.prepareStatement(TYPE)) {
                ps.setLong(1, id);
                try (ResultSet t = ps.executeQuery()) {
                    if (!t.next()) {
                        throw new SQLException("Column " + table + "." + name + " has a type (oid " + id + ") the catalog lacks");
                    }
                    if ("d".equals(t.getString("typtype"))) {
                        // A domain's own modifier is on the domain: numeric(12,3) for a domain over numeric(12,3).
                        modifier = t.getInt("typtypmod");
                        id = t.getLong("typbasetype");
                        continue;
                    }
                    if (t.getBoolean("is_array") && !array) {
                        // An array's modifier is its elements', and its element may be a domain in turn.
                        array = true;
                        id = t.getLong("typelem");
                        continue;
                    }
                    String typeName = t.getString("typname");
                    if ("e".equals(t.getString("typtype"))) {
                        return new Column(name, ColumnType.TEXT, array); // Debezium sends an enum's label
                    }
                    ColumnType type = ColumnType.fromPostgres(typeName).orElseGet(() -> {
                        LOG.warn("Column {}.{} has type {} which the warehouse does not know: it is loaded as text",
                                table, name, typeName);
                        return ColumnType.TEXT;
                    });
                    if (type == ColumnType.NUMERIC && modifier >= VARHDRSZ) {
                        return new Column(name, type, array, numericPrecision(modifier), numericScale(modifier));
                    }
                    return new Column(name, type, array);
                }
            }
        }
    }

    /** As PostgreSQL's numeric_typmod_precision. */
    private static int numericPrecision(int modifier) {
        return ((modifier - VARHDRSZ) >> 16) & 0xffff;
    }

    /** As PostgreSQL's numeric_typmod_scale: 11 bits, signed, as PostgreSQL 15 allows a negative scale. */
    private static int numericScale(int modifier) {
        return ((((modifier - VARHDRSZ) & 0x7ff) ^ 1024) - 1024);
    }

    private static ResultSet query(Connection c, String sql, TableId table) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.closeOnCompletion();
        ps.setString(1, table.schema());
        ps.setString(2, table.name());
        return ps.executeQuery();
    }
}
