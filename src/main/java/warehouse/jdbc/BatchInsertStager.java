package warehouse.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import warehouse.ChangeEvent;
import warehouse.Column;
import warehouse.JsonText;
import warehouse.MergeSqlGenerator;
import warehouse.TableSchema;

/**
 * Stages with one INSERT per change, sent as a single JDBC batch: works with any driver. Snowflake's
 * driver turns a large batch of binds into a file upload to a stage by itself, so this is its bulk path
 * too.
 */
public final class BatchInsertStager implements Stager {

    private final MergeSqlGenerator sql;

    public BatchInsertStager(MergeSqlGenerator sql) {
        this.sql = sql;
    }

    @Override
    public void stage(Connection connection, TableSchema table, List<ChangeEvent> changes) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.insertIntoStage(table))) {
            for (ChangeEvent e : changes) {
                int i = 1;
                // MergeSqlGenerator.METADATA, in its order
                ps.setString(i++, e.operation().code());
                ps.setLong(i++, e.lsn());
                Binds.setLong(ps, i++, e.txId());
                ps.setLong(i++, e.sourceTsMs());
                ps.setString(i++, e.topic());
                ps.setInt(i++, e.partition());
                ps.setLong(i++, e.offset());
                for (Column c : table.columns()) {
                    Binds.setString(ps, i++, JsonText.of(e.row().get(c.name())));
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
