package warehouse.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import warehouse.MergeSqlGenerator;
import warehouse.SnapshotLoad;
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

    /** Where a direct snapshot puts the CSV files {@link #stageCsv} reads; empty when it reads none. */
    default Optional<Path> csvDirectory() {
        return Optional.empty();
    }

    /**
     * Writes the rows of a direct snapshot's CSV file (SnapshotLoad#loadCsv) on {@code connection}, inside the caller's
     * transaction, as {@link #stage} writes them; returns how many it wrote.
     */
    default long stageCsv(Connection connection, TableSchema table, SnapshotLoad.CsvBatch batch) throws SQLException {
        throw new UnsupportedOperationException("This warehouse reads no CSV: csvDirectory() is empty");
    }
}
