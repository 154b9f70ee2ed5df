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
 */
public final class SourceCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(SourceCatalog.class);

    private static final String COLUMNS = """
            SELECT a.attname, t.typname, t.typcategory = 'A' AS is_array, e.typname AS element
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_type e ON e.oid = t.typelem
            WHERE a.attrelid = format('%I.%I', ?, ?)::regclass AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """;

    private static final String PRIMARY_KEY = """
            SELECT a.attname
            FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = format('%I.%I', ?, ?)::regclass AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)
            """;

    private final DataSource dataSource;

    public SourceCatalog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public TableSchema describe(TableId table) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<Column> columns = new ArrayList<>();
            try (ResultSet rs = query(c, COLUMNS, table)) {
                while (rs.next()) {
                    boolean array = rs.getBoolean("is_array");
                    String pgType = array ? rs.getString("element") : rs.getString("typname");
                    ColumnType type = ColumnType.fromPostgres(pgType).orElseGet(() -> {
                        LOG.warn("Column {}.{} has type {} which the warehouse does not know: it is loaded as text",
                                table, pgType, pgType);
                        return ColumnType.TEXT;
                    });
                    columns.add(new Column(rs.getString("attname"), type, array));
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
            return new TableSchema(table, columns, key);
        }
    }

    private static ResultSet query(Connection c, String sql, TableId table) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.closeOnCompletion();
        ps.setString(1, table.schema());
        ps.setString(2, table.name());
        return ps.executeQuery();
    }
}
