package warehouse.duckdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import warehouse.ChangeEvent;
import warehouse.MergeSqlGenerator;
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
                ChangeEvent e = row.change();
                // MergeSqlGenerator.METADATA, in its order
                appender.beginRow()
                        .append(e.operation().code())
                        .append(e.lsn())
                        .append(e.txId())
                        .append(e.sourceTsMs())
                        .append(e.topic())
                        .append(e.partition())
                        .append(e.offset());
                for (String value : row.values()) {
                    appender.append(value);
                }
                appender.append(row.unavailable());
                appender.endRow();
            }
        }
    }
}
