package e2e;

import bench.ChangeMix;
import bench.FlightStateChanges;
import bench.PreparedFlightStateBatch;
import embedded.EmbeddedPostgresServer;
import java.sql.Connection;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A busy source: a seeded stream of inserts, updates, deletes and primary-key updates to flight_state
 * (see FlightStateChanges), in transactions of 1 to {@code maxTransaction} changes, at a steady pace.
 * Counts changes as Debezium sees them: a key update is two.
 */
final class ChangeGenerator implements Runnable {

    /** Many inserts, deletes and key updates: the changes most likely to go wrong after a crash. */
    private static final ChangeMix MIX = new ChangeMix(35, 35, 15, 15);

    private final EmbeddedPostgresServer source;
    private final Random random;
    private final int changes;
    private final int maxTransaction;
    private final int changesPerSecond;

    private final FlightStateChanges changeStream;
    private volatile long written;
    private volatile long transactions;
    private volatile boolean stopped;
    private volatile long finishedAt;

    ChangeGenerator(EmbeddedPostgresServer source, long seed, int changes, int maxTransaction, int changesPerSecond) {
        this.source = source;
        this.random = new Random(seed);
        this.changeStream = new FlightStateChanges(MIX, random);
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
                int size = 1 + random.nextInt(Math.min(maxTransaction, (int) (changes - written)));
                long inTransaction = 0;
                // One transaction may touch a row several times, as real ones do: the batch keeps each row's changes in order.
                while (inTransaction < size) {
                    inTransaction += changeStream.addChange(batch);
                }
                batch.execute();
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
}
