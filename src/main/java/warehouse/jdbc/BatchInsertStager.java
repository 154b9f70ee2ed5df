package warehouse.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import warehouse.MergeSqlGenerator;
import warehouse.MetadataColumn;
import warehouse.StageRows.StageRow;
import warehouse.TableSchema;

/**
 * Stages with one INSERT per change, sent as JDBC batches: works with any driver. A batch holds at most
 * {@code maxBinds} bound values, so that a driver that would switch to another way of sending larger
 * ones (Snowflake's uploads them to a stage it creates with DDL, which would commit the load's
 * transaction half-way) never does.
 */
public final class BatchInsertStager implements Stager {

    private final MergeSqlGenerator sql;
    private final int maxBinds;

    public BatchInsertStager(MergeSqlGenerator sql, int maxBinds) {
        this.sql = sql;
        this.maxBinds = maxBinds;
    }

    @Override
    public void stage(Connection connection, TableSchema table, List<StageRow> rows) throws SQLException {
        int rowsPerBatch = Math.max(1, maxBinds / MergeSqlGenerator.stageColumns(table).size());
        try (PreparedStatement ps = connection.prepareStatement(sql.insertIntoStage(table))) {
            int pending = 0;
            for (StageRow row : rows) {
                int i = 1;
                for (MetadataColumn c : MetadataColumn.STAGE) {
                    Binds.set(ps, i++, c.type(), c.value(row.change()));
                }
                for (String value : row.values()) {
                    Binds.setString(ps, i++, value);
                }
                Binds.setString(ps, i, row.unavailable());
                ps.addBatch();
                if (++pending == rowsPerBatch) {
                    ps.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                ps.executeBatch();
            }
        }
    }
}
