package e2e;

import bench.ChangeMix;
import bench.FlightStateChanges;
import bench.PreparedFlightStateBatch;
import capture.KeyPartitioner;
import embedded.EmbeddedPostgresServer;
import java.io.StringReader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.postgresql.PGConnection;

/**
 * A busy source: a seeded stream of inserts, updates, deletes and primary-key updates to flight_state
 * (see FlightStateChanges), in transactions of 1 to {@code maxTransaction} changes, at a steady pace.
 * Now and then (and at least once, by the eleventh transaction) a transaction is a bulk load instead, as ETL tools
 * and pg_restore write: a COPY of up to {@link #MAX_BULK_ROWS} new rows (PostgreSQL logs many rows per WAL record, so
 * they share an LSN), then one UPDATE of some of them and one DELETE of others, in the same transaction. And now and
 * then a transaction writes a second table too, {@code flight_note}: upserts and a delete among its own keys.
 * Counts changes as Debezium sees them: a key update is two.
 */
final class ChangeGenerator implements Runnable {

    /** Many inserts, deletes and key updates: the changes most likely to go wrong after a crash. */
    private static final ChangeMix MIX = new ChangeMix(35, 35, 15, 15);
    /** One transaction in this many is a bulk load. */
    private static final int BULK_EVERY = 25;
    private static final int MAX_BULK_ROWS = 3_000;
    /** The transaction (counted from 0) that is a bulk load if none was before it. */
    private static final int FIRST_BULK_LOAD_BY = 10;
    /** One transaction in this many also writes flight_note. */
    private static final int TWO_TABLES_EVERY = 4;
    private static final int NOTE_KEYS = 500;

    /** The second table, written in the same transactions as flight_state. */
    static final String NOTE_TABLE = """
            CREATE TABLE flight_note (icao24 text PRIMARY KEY, note text NOT NULL);
            ALTER TABLE flight_note REPLICA IDENTITY FULL""";

    private final EmbeddedPostgresServer source;
    private final Random random;
    private final int changes;
    private final int maxTransaction;
    private final int changesPerSecond;

    private final FlightStateChanges changeStream;
    private volatile long written;
    private volatile long transactions;
    private volatile long bulkLoads;
    private volatile long twoTableTransactions;
    private long bulkRows;
    private volatile boolean stopped;
    private volatile long finishedAt;

    ChangeGenerator(EmbeddedPostgresServer source, long seed, int changes, int maxTransaction, int changesPerSecond) {
        this.source = source;
        this.random = new Random(seed);
        // Its counts of Kafka records are not used here, nor their partitions.
        this.changeStream = new FlightStateChanges(MIX, random, new KeyPartitioner(1));
        this.changes = changes;
        this.maxTransaction = maxTransaction;
        this.changesPerSecond = changesPerSecond;
    }

    long written() {
        return written;
    }

    long transactions() {
        return transactions;
    }

    long bulkLoads() {
        return bulkLoads;
    }

    long twoTableTransactions() {
        return twoTableTransactions;
    }

    /** System.nanoTime() when the last change was committed. */
    long finishedAt() {
        return finishedAt;
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        long started = System.nanoTime();
        try (Connection c = source.connect();
             PreparedFlightStateBatch batch = new PreparedFlightStateBatch(c)) {
            c.setAutoCommit(false);
            while (written < changes && !stopped) {
                long inTransaction;
                // At least one, early: by chance alone a run of 145 transactions had none (about 1 in 370 runs), and the
                // tests that assert bulk loads among the changes failed on their workload, not on the pipeline.
                if (random.nextInt(BULK_EVERY) == 0 || bulkLoads == 0 && transactions == FIRST_BULK_LOAD_BY) {
                    inTransaction = bulkLoad(c, 1 + random.nextInt(MAX_BULK_ROWS));
                    bulkLoads++;
                } else {
                    int size = 1 + random.nextInt(Math.min(maxTransaction, (int) (changes - written)));
                    inTransaction = 0;
                    // One transaction may touch a row several times, as real ones do: the batch keeps each row's changes in order.
                    while (inTransaction < size) {
                        inTransaction += changeStream.addChange(batch);
                    }
                    batch.execute();
                    if (random.nextInt(TWO_TABLES_EVERY) == 0) {
                        inTransaction += writeNotes(c);
                        twoTableTransactions++;
                    }
                }
                c.commit();
                written += inTransaction;
                transactions++;
                long ahead = TimeUnit.SECONDS.toNanos(written) / changesPerSecond - (System.nanoTime() - started);
                if (ahead > 0) {
                    TimeUnit.NANOSECONDS.sleep(ahead);
                }
            }
            finishedAt = System.nanoTime();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("The change generator failed after " + written + " changes", e);
        }
    }

    /** Upserts of 1 to 20 notes and a delete of one, in the transaction open on {@code c}; returns the number of changes. */
    private long writeNotes(Connection c) throws Exception {
        long changes = 0;
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO flight_note (icao24, note) VALUES (?, ?)"
                + " ON CONFLICT (icao24) DO UPDATE SET note = excluded.note");
             PreparedStatement delete = c.prepareStatement("DELETE FROM flight_note WHERE icao24 = ?")) {
            int notes = 1 + random.nextInt(20);
            for (int i = 0; i < notes; i++) {
                upsert.setString(1, "note-" + random.nextInt(NOTE_KEYS));
                upsert.setString(2, "note " + written + "." + i);
                upsert.addBatch();
            }
            for (int n : upsert.executeBatch()) {
                changes += n;
            }
            delete.setString(1, "note-" + random.nextInt(NOTE_KEYS));
            changes += delete.executeUpdate();
        }
        return changes;
    }

    /**
     * COPY of {@code rows} new rows in CSV, then one statement updating every third of them and one deleting every
     * seventh; returns the number of changes. Their keys ("bulk-N") are never touched by the change stream.
     */
    private long bulkLoad(Connection c, int rows) throws Exception {
        long first = bulkRows;
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            csv.append("bulk-").append(first + i).append(",BULK").append(first + i).append(",2099-01-01 00:00:00+00\n");
        }
        bulkRows += rows;
        long copied = c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                "COPY flight_state (icao24, callsign, last_contact) FROM STDIN WITH (FORMAT csv)", new StringReader(csv.toString()));
        try (PreparedStatement update = c.prepareStatement("UPDATE flight_state SET callsign = callsign || '+'"
                + " WHERE icao24 = ANY (?) AND (substr(icao24, 6)::bigint % 3) = 0");
             PreparedStatement delete = c.prepareStatement("DELETE FROM flight_state"
                     + " WHERE icao24 = ANY (?) AND (substr(icao24, 6)::bigint % 7) = 0")) {
            Array keys = c.createArrayOf("text", LongStream.range(first, first + rows).mapToObj(n -> "bulk-" + n).toArray());
            update.setArray(1, keys);
            delete.setArray(1, keys);
            return copied + update.executeUpdate() + delete.executeUpdate();
        }
    }
}
