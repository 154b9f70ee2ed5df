package warehouse;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;
import warehouse.StageRows.StageRow;

/**
 * The warehouse's side of a direct snapshot (snapshot/DirectSnapshot): rows read from the source at one LSN, loaded as
 * snapshot reads (op 'r') without passing through Kafka, and a mark of how far that snapshot got, kept in the warehouse
 * so that it commits with the rows.
 */
public interface SnapshotLoad {

    /** The last direct snapshot begun in this warehouse; empty when none was. */
    Optional<SnapshotMark> mark() throws SQLException;

    /**
     * Begins a snapshot at {@code lsn}, in one transaction: the rows of an unfinished earlier one leave the history,
     * the current state of {@code tables} is emptied (the snapshot's rows replace it), and the mark says begun.
     */
    void begin(long lsn, List<TableSchema> tables) throws SQLException;

    /**
     * Loads {@code rows} of one table in one transaction: into its history, and its current state. Their offsets are a
     * run no other batch's rows are in. Up to {@link #parallelism()} threads may call it at once.
     */
    void load(TableSchema table, List<StageRow> rows) throws SQLException, InterruptedException;

    /** How many batches {@link #load} writes at once, each in a transaction of its own; 1 unless the warehouse says. */
    default int parallelism() {
        return 1;
    }

    /**
     * Where the snapshot puts files of PostgreSQL's CSV for {@link #loadCsv}, a directory of the warehouse's own: one
     * that reads such a file itself loads it for far less than rows handed over one value at a time. Empty when the
     * warehouse reads none, and only {@link #load} is called.
     */
    default Optional<Path> csvDirectory() {
        return Optional.empty();
    }

    /**
     * Loads the rows of one table that {@code batch}'s file holds, in one transaction, as {@link #load} loads them: each
     * line is a row, each field the text of its column as the stage holds it (as snapshot/StageTextSql selects it), an
     * unquoted empty field SQL NULL. Up to {@link #parallelism()} threads may call it at once.
     */
    default void loadCsv(TableSchema table, CsvBatch batch) throws SQLException, InterruptedException {
        throw new UnsupportedOperationException("This warehouse reads no CSV: csvDirectory() is empty");
    }

    /**
     * A file of a direct snapshot's rows, as PostgreSQL's COPY writes CSV, and what each of its rows is as a snapshot
     * read.
     *
     * @param rows how many rows the file holds
     * @param partitions the Kafka partition of each row
     * @param firstOffset the offset of its first row; the others follow down from it (-1, -2, ...), a run no other
     *     batch's rows are in, in no particular order
     */
    record CsvBatch(Path file, long rows, String topic, RowPartitions partitions, long lsn, long sourceTsMs,
                    long firstOffset) {

        /** The lowest offset a row of the batch has. */
        public long lastOffset() {
            return firstOffset - rows + 1;
        }
    }

    /**
     * The Kafka partition of a snapshot's rows, the one their records would have been in: the same for all when the topics
     * have one, otherwise each row's from its key.
     */
    sealed interface RowPartitions {

        /** The partition of {@code row}, its columns as the stage's text. */
        int of(String[] row);

        /** Every row in {@code partition}. */
        record One(int partition) implements RowPartitions {
            @Override
            public int of(String[] row) {
                return partition;
            }
        }

        /**
         * Each row in its key's partition.
         *
         * @param keyColumns the row's columns that make its key, in the key's order
         * @param partitionOfKey the partition of a key, given the text of those columns in that order; the warehouse may
         *     call it from several threads at once
         */
        record ByKey(int[] keyColumns, ToIntFunction<String[]> partitionOfKey) implements RowPartitions {
            @Override
            public int of(String[] row) {
                String[] key = new String[keyColumns.length];
                for (int i = 0; i < key.length; i++) {
                    key[i] = row[keyColumns[i]];
                }
                return partitionOfKey.applyAsInt(key);
            }
        }
    }

    /** Marks the snapshot at {@code lsn} finished, having loaded {@code rows} rows. */
    void finish(long lsn, long rows) throws SQLException;

    /**
     * A direct snapshot as the warehouse recorded it.
     *
     * @param lsn the replication slot's starting point, at which the rows were read
     * @param finished whether every row was loaded
     */
    record SnapshotMark(long lsn, boolean finished) {
    }
}
