package e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A busy source: a seeded stream of inserts, updates, deletes and primary-key updates to flight_state,
 * in transactions of 1 to {@code maxTransaction} changes, at a steady pace. It is the only writer, so
 * it knows which keys exist. Every row image it writes has a callsign of its own, so each change can be
 * told apart in the warehouse's history. Counts changes as Debezium sees them: a key update is two.
 */
final class ChangeGenerator implements Runnable {

    private final String jdbcUrl;
    private final Random random;
    private final int changes;
    private final int maxTransaction;
    private final int changesPerSecond;

    private final List<String> keys = new ArrayList<>();
    private final Map<String, Integer> keyIndex = new HashMap<>();
    private long nextKey;
    private long nextImage;
    private volatile long written;
    private volatile long transactions;
    private volatile boolean stopped;
    private volatile long finishedAt;

    ChangeGenerator(String jdbcUrl, long seed, int changes, int maxTransaction, int changesPerSecond) {
        this.jdbcUrl = jdbcUrl;
        this.random = new Random(seed);
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
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres")) {
            c.setAutoCommit(false);
            while (written < changes && !stopped) {
                int size = 1 + random.nextInt(Math.min(maxTransaction, (int) (changes - written)));
                long inTransaction = 0;
                try (Statement s = c.createStatement()) {
                    // A plain statement's batch runs in order in one round trip, so one transaction may
                    // touch a row several times, as real ones do.
                    while (inTransaction < size) {
                        inTransaction += addChange(s);
                    }
                    s.executeBatch();
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

    /** Adds one statement to the batch; returns the number of changes it makes. */
    private int addChange(Statement s) throws Exception {
        int dice = keys.size() < 50 ? 0 : random.nextInt(100);
        if (dice < 35) {
            String key = newKey();
            s.addBatch("INSERT INTO flight_state (icao24, callsign, origin_country, last_contact, longitude, latitude,"
                    + " velocity, on_ground, sensors, squawk) VALUES ('" + key + "', '" + newImage() + "', 'Chaos', now(), "
                    + coordinate(180) + ", " + coordinate(90) + ", " + speed() + ", " + random.nextBoolean()
                    + ", '{" + random.nextInt(10) + "," + random.nextInt(10) + "}', '" + (1000 + random.nextInt(6777)) + "')");
            return 1;
        }
        String key = keys.get(random.nextInt(keys.size()));
        if (dice < 70) {
            s.addBatch("UPDATE flight_state SET callsign = '" + newImage() + "', velocity = " + speed() + ", latitude = "
                    + coordinate(90) + ", last_contact = now() WHERE icao24 = '" + key + "'");
            return 1;
        }
        removeKey(key);
        if (dice < 85) {
            s.addBatch("DELETE FROM flight_state WHERE icao24 = '" + key + "'");
            return 1;
        }
        s.addBatch("UPDATE flight_state SET icao24 = '" + newKey() + "', callsign = '" + newImage()
                + "' WHERE icao24 = '" + key + "'");
        return 2;
    }

    private String newKey() {
        String key = "k" + Long.toString(nextKey++, 36);
        keyIndex.put(key, keys.size());
        keys.add(key);
        return key;
    }

    /** Removes in O(1): the last key takes the removed key's place. */
    private void removeKey(String key) {
        int index = keyIndex.remove(key);
        String last = keys.remove(keys.size() - 1);
        if (!last.equals(key)) {
            keys.set(index, last);
            keyIndex.put(last, index);
        }
    }

    private String newImage() {
        return "v" + Long.toString(nextImage++, 36);
    }

    private double coordinate(int limit) {
        return (random.nextInt(2 * limit * 10_000) - limit * 10_000) / 10_000.0;
    }

    private double speed() {
        return random.nextInt(30_000) / 100.0;
    }
}
