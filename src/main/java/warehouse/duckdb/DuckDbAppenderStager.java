package warehouse.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import warehouse.MergeSqlGenerator;
import warehouse.MetadataColumn;
import warehouse.StageRows.StageRow;
import warehouse.TableSchema;
import warehouse.jdbc.Stager;

/** Stages with DuckDB's appender, which writes rows straight into the table: no per-row statements. */
final class DuckDbAppenderStager implements Stager {

    private final MergeSqlGenerator sql;

    DuckDbAppenderStager(MergeSqlGenerator sql) {
        this.sql = sql;
    }

    @Override
    public void stage(Connection connection, TableSchema table, List<StageRow> rows) throws SQLException {
        DuckDBConnection duckdb = connection.unwrap(DuckDBConnection.class);
        try (DuckDBAppender appender = duckdb.createAppender(DuckDBConnection.DEFAULT_SCHEMA, sql.stageTable(table))) {
            for (StageRow row : rows) {
                appender.beginRow();
                for (MetadataColumn c : MetadataColumn.STAGE) {
                    append(appender, c.type(), c.value(row.change()));
                }
                for (String value : row.values()) {
                    appender.append(value);
                }
                appender.append(row.unavailable());
                appender.endRow();
            }
        }
    }

    /** The appender checks each value's type against its column's: a Long for a BIGINT, not an Integer. */
    private static void append(DuckDBAppender appender, MetadataColumn.Type type, Object value) throws SQLException {
        switch (type) {
            case TEXT -> appender.append((String) value);
            case BIGINT -> appender.append((Long) value);
            case INTEGER -> appender.append((Integer) value);
            default -> throw new IllegalArgumentException("No staged column is a " + type);
        }
    }
}
