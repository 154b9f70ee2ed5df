package bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Random;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the benchmark's changes to the source as fast as one connection can: each transaction is one
 * JDBC batch of plain statements (one round trip, run in order, so a transaction may touch a row
 * several times as real ones do), and its commit time is recorded.
 */
public final class SourceWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SourceWriter.class);

    private final DataSource source;
    private final Random random;
    private final FlightStateChanges changes;
    private final int maxTransaction;
    private volatile long written;

    public SourceWriter(DataSource source, ChangeMix mix, long seed, int maxTransaction) {
        this.source = source;
        this.random = new Random(seed);
        this.changes = new FlightStateChanges(mix, random);
        this.maxTransaction = maxTransaction;
    }

    /** Inserts {@code rows} new aircraft in transactions of the largest size. */
    public void preload(int rows) throws SQLException {
        try (Connection c = source.getConnection()) {
            c.setAutoCommit(false);
            for (int done = 0; done < rows; ) {
                int size = Math.min(maxTransaction, rows - done);
                try (Statement s = c.createStatement()) {
                    for (int i = 0; i < size; i++) {
                        changes.addInsert(s);
                    }
                    s.executeBatch();
                }
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
        try (Connection c = source.getConnection()) {
            c.setAutoCommit(false);
            long done = 0;
            while (done < count) {
                int size = 1 + random.nextInt((int) Math.min(maxTransaction, count - done));
                int inTransaction = 0;
                try (Statement s = c.createStatement()) {
                    while (inTransaction < size) {
                        inTransaction += changes.addChange(s);
                    }
                    s.executeBatch();
                }
                c.commit();
                if (transactions == commitNanos.length) {
                    commitNanos = Arrays.copyOf(commitNanos, transactions * 2);
                }
                commitNanos[transactions++] = System.nanoTime();
                done += inTransaction;
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
