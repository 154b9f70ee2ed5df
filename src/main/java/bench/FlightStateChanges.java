package bench;

import capture.KeyPartitioner;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded stream of changes to flight_state in a given mix, added to a batch one by one. Its
 * user must be the table's only writer: it knows which keys exist, so every update and delete hits a row.
 * Every row image it writes has a callsign of its own, so each change can be told apart in the
 * warehouse's history. Counts changes as Debezium sees them (a key update is two) and the Kafka records
 * they become (a delete is followed by a tombstone), per partition of the topic: the capture sends each to its key's
 * partition ({@link KeyPartitioner}, over the key as Debezium renders it).
 */
public final class FlightStateChanges {

    /** Below this many live rows only inserts are made, so deletes never empty the table. */
    private static final int MIN_LIVE_KEYS = 50;

    private final ChangeMix mix;
    private final Random random;
    private final List<String> keys = new ArrayList<>();
    private final Map<String, Integer> keyIndex = new HashMap<>();
    private long nextKey;
    private long nextImage;
    private long inserts;
    private long updates;
    private long deletes;
    private long keyUpdates;
    private final KeyPartitioner partitioner;
    private final long[] records;

    public FlightStateChanges(ChangeMix mix, Random random, KeyPartitioner partitioner) {
        this.mix = mix;
        this.random = random;
        this.partitioner = partitioner;
        this.records = new long[partitioner.partitions()];
    }

    /** Adds one change in the mix to the batch; returns the number of changes Debezium will see. */
    public int addChange(FlightStateBatch batch) throws SQLException {
        if (keys.size() < MIN_LIVE_KEYS) {
            return addInsert(batch);
        }
        int dice = random.nextInt(100);
        if (dice < mix.insertPercent()) {
            return addInsert(batch);
        }
        String key = keys.get(random.nextInt(keys.size()));
        dice -= mix.insertPercent();
        if (dice < mix.updatePercent()) {
            String callsign = newImage();
            double velocity = speed();
            batch.update(key, callsign, velocity, coordinate(90));
            updates++;
            records(key, 1);
            return 1;
        }
        removeKey(key);
        dice -= mix.updatePercent();
        if (dice < mix.deletePercent()) {
            batch.delete(key);
            deletes++;
            records(key, 2);
            return 1;
        }
        String newKey = newKey();
        batch.changeKey(key, newKey, newImage());
        keyUpdates++;
        records(key, 2);
        records(newKey, 1);
        return 2;
    }

    /** Adds the insert of a new aircraft to the batch; returns 1, the changes it makes. */
    public int addInsert(FlightStateBatch batch) throws SQLException {
        String key = newKey();
        String callsign = newImage();
        double longitude = coordinate(180);
        double latitude = coordinate(90);
        double velocity = speed();
        boolean onGround = random.nextBoolean();
        int[] sensors = {random.nextInt(10), random.nextInt(10)};
        String squawk = String.valueOf(1000 + random.nextInt(6777));
        batch.insert(key, callsign, longitude, latitude, velocity, onGround, sensors, squawk);
        inserts++;
        records(key, 1);
        return 1;
    }

    public int liveKeys() {
        return keys.size();
    }

    public long inserts() {
        return inserts;
    }

    public long updates() {
        return updates;
    }

    public long deletes() {
        return deletes;
    }

    public long keyUpdates() {
        return keyUpdates;
    }

    /** Changes as Debezium sees them. */
    public long changes() {
        return inserts + updates + deletes + 2 * keyUpdates;
    }

    /**
     * The records the capture puts in Kafka for the changes so far: one per change, and a tombstone
     * after each delete, the deletes of key updates included.
     */
    public long kafkaRecords() {
        return inserts + updates + 2 * deletes + 3 * keyUpdates;
    }

    /** {@link #kafkaRecords()} by partition. */
    PartitionCounts kafkaRecordsByPartition() {
        return PartitionCounts.of(records);
    }

    /** {@code count} records of {@code key}, in its partition: the key as Debezium renders flight_state's. */
    private void records(String key, int count) {
        records[partitioner.partitionOf(("{\"icao24\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8))] += count;
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
