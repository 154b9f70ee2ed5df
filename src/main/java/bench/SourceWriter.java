package bench;

import capture.KeyPartitioner;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Random;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the benchmark's changes to the source as fast as one connection can: each transaction is one
 * {@link PreparedFlightStateBatch} (a round trip per kind of change), and its commit time is recorded.
 * The one writer of flight_state for the whole run: the throughput phase, and the latency phases
 * through {@link #session()}, draw their changes from the same stream.
 */
public final class SourceWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SourceWriter.class);

    private final DataSource source;
    private final Random random;
    private final FlightStateChanges changes;
    private final int maxTransaction;
    private volatile long written;

    /** @param partitions of the topic the capture sends the changes to */
    public SourceWriter(DataSource source, ChangeMix mix, long seed, int maxTransaction, int partitions) {
        this.source = source;
        this.random = new Random(seed);
        this.changes = new FlightStateChanges(mix, random, new KeyPartitioner(partitions));
        this.maxTransaction = maxTransaction;
    }

    /** Inserts {@code rows} new aircraft in transactions of the largest size. */
    public void preload(int rows) throws SQLException {
        try (Connection c = source.getConnection(); PreparedFlightStateBatch batch = new PreparedFlightStateBatch(c)) {
            c.setAutoCommit(false);
            for (int done = 0; done < rows; ) {
                int size = Math.min(maxTransaction, rows - done);
                for (int i = 0; i < size; i++) {
                    changes.addInsert(batch);
                }
                batch.execute();
                c.commit();
                done += size;
            }
        }
    }

    /** Writes {@code count} changes in the mix, in transactions of 1 to the largest size, drawn at random. */
    public SourceWrites write(long count) throws SQLException {
        long changesBefore = changes.changes();
        long insertsBefore = changes.inserts();
        long updatesBefore = changes.updates();
        long deletesBefore = changes.deletes();
        long keyUpdatesBefore = changes.keyUpdates();
        long recordsBefore = changes.kafkaRecords();
        long[] commitNanos = new long[1024];
        int transactions = 0;
        long started = System.nanoTime();
        try (Session session = session()) {
            long done = 0;
            while (done < count) {
                int size = 1 + random.nextInt((int) Math.min(maxTransaction, count - done));
                Commit commit = session.commit(size);
                if (transactions == commitNanos.length) {
                    commitNanos = Arrays.copyOf(commitNanos, transactions * 2);
                }
                commitNanos[transactions++] = commit.nanos();
                done += commit.changes();
                written = done;
            }
        }
        SourceWrites writes = new SourceWrites(changes.changes() - changesBefore, changes.inserts() - insertsBefore,
                changes.updates() - updatesBefore, changes.deletes() - deletesBefore,
                changes.keyUpdates() - keyUpdatesBefore, changes.kafkaRecords() - recordsBefore, started,
                Arrays.copyOf(commitNanos, transactions));
        LOG.info("Source: {} changes committed in {} transactions in {} s ({} changes/s)", writes.changes(),
                transactions, Throughput.seconds(writes.writingNanos()), Throughput.perSecond(writes.changes(), writes.writingNanos()));
        return writes;
    }

    /** Changes committed so far by {@link #write}, for progress reports from other threads. */
    public long written() {
        return written;
    }

    /** Kafka records the capture makes of every change written so far, the preload included. */
    public long kafkaRecords() {
        return changes.kafkaRecords();
    }

    /** {@link #kafkaRecords()} in each partition of the topic. */
    PartitionCounts kafkaRecordsByPartition() {
        return changes.kafkaRecordsByPartition();
    }

    /** A connection to commit transactions on, one at a time, from one thread. */
    public Session session() throws SQLException {
        return new Session(source.getConnection());
    }

    public final class Session implements AutoCloseable {

        private final Connection connection;
        private final PreparedFlightStateBatch batch;

        private Session(Connection connection) throws SQLException {
            this.connection = connection;
            try {
                connection.setAutoCommit(false);
                this.batch = new PreparedFlightStateBatch(connection);
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        }

        /** Writes at least {@code size} changes in the mix in one transaction (a key update is two) and commits it. */
        public Commit commit(int size) throws SQLException {
            long recordsBefore = changes.kafkaRecords();
            int inTransaction = 0;
            while (inTransaction < size) {
                inTransaction += changes.addChange(batch);
            }
            batch.execute();
            connection.commit();
            return new Commit(inTransaction, changes.kafkaRecords() - recordsBefore, changes.kafkaRecordsByPartition(),
                    System.nanoTime());
        }

        @Override
        public void close() throws SQLException {
            try (connection; batch) {
                // closes the statements, then the connection
            }
        }
    }

    /**
     * One committed transaction.
     *
     * @param kafkaRecords records the capture puts in Kafka for its changes
     * @param recordsThrough records of every change written so far, this transaction's included, per partition
     * @param nanos        System.nanoTime() right after the commit returned
     */
    public record Commit(int changes, long kafkaRecords, PartitionCounts recordsThrough, long nanos) {
    }

    /**
     * What one {@link SourceWriter#write} committed, the preload left out.
     *
     * @param kafkaRecords records the capture puts in Kafka for these changes
     * @param startedNanos System.nanoTime() before the first change was written
     * @param commitNanos  System.nanoTime() after each transaction's commit, in order
     */
    public record SourceWrites(long changes, long inserts, long updates, long deletes, long keyUpdates,
                               long kafkaRecords, long startedNanos, long[] commitNanos) {

        public int transactions() {
            return commitNanos.length;
        }

        public long firstCommitNanos() {
            return commitNanos[0];
        }

        public long lastCommitNanos() {
            return commitNanos[commitNanos.length - 1];
        }

        public long writingNanos() {
            return lastCommitNanos() - startedNanos;
        }
    }
}
