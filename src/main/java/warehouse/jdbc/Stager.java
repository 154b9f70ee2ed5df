package warehouse.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import warehouse.MergeSqlGenerator;
import warehouse.StageRows.StageRow;
import warehouse.TableSchema;

/**
 * Writes a batch's changes into the staging table of a prepared table: one row per change, in
 * {@link MergeSqlGenerator#stageColumns} order, the metadata first, then each source column as the text
 * {@link warehouse.StageRows} renders, then which values the change lacks. How the rows get there is what
 * differs between warehouses, and the only thing: a bulk appender where the warehouse has one, batched
 * INSERTs otherwise.
 */
public interface Stager {

    /**
     * Writes {@code rows} on {@code connection}, inside the transaction the caller has open: they are
     * committed or rolled back with the rest of the batch.
     */
    void stage(Connection connection, TableSchema table, List<StageRow> rows) throws SQLException;
}
