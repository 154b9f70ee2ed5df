package warehouse.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import warehouse.ChangeEvent;
import warehouse.MergeSqlGenerator;
import warehouse.TableSchema;

/**
 * Writes a batch's changes into the staging table of a prepared table: one row per change, in
 * {@link MergeSqlGenerator#stageColumns} order, the metadata first and then each source column as the
 * text {@link warehouse.JsonText} renders. How the rows get there is what differs between warehouses,
 * and the only thing: a bulk appender where the warehouse has one, batched INSERTs otherwise.
 */
public interface Stager {

    /**
     * Writes {@code changes} on {@code connection}, inside the transaction the caller has open: they are
     * committed or rolled back with the rest of the batch.
     */
    void stage(Connection connection, TableSchema table, List<ChangeEvent> changes) throws SQLException;
}
