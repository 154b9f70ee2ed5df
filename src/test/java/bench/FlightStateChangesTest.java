package bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import capture.KeyPartitioner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class FlightStateChangesTest {

    private final List<String> statements = new ArrayList<>();
    /** Records the changes added to it, one line each. */
    private final FlightStateBatch batch = new FlightStateBatch() {
        @Override
        public void insert(String icao24, String callsign, double longitude, double latitude, double velocity,
                           boolean onGround, int[] sensors, String squawk) {
            statements.add("insert " + icao24 + " " + callsign);
        }

        @Override
        public void update(String icao24, String callsign, double velocity, double latitude) {
            statements.add("update " + icao24 + " " + callsign);
        }

        @Override
        public void delete(String icao24) {
            statements.add("delete " + icao24);
        }

        @Override
        public void changeKey(String icao24, String newIcao24, String callsign) {
            statements.add("change key " + icao24 + " to " + newIcao24 + " " + callsign);
        }
    };

    @Test
    void followsTheMixAndCountsTheKafkaRecordsItsChangesBecome() throws Exception {
        FlightStateChanges changes = new FlightStateChanges(ChangeMix.BENCHMARK, new Random(1), new KeyPartitioner(1));
        for (int i = 0; i < 1000; i++) {
            changes.addInsert(batch);
        }
        for (int i = 0; i < 20_000; i++) {
            changes.addChange(batch);
        }

        long afterPreload = 20_000;
        assertThat(changes.inserts() - 1000).isBetween(afterPreload * 8 / 100, afterPreload * 12 / 100);
        assertThat(changes.updates()).isBetween(afterPreload * 82 / 100, afterPreload * 88 / 100);
        assertThat(changes.deletes()).isBetween(afterPreload * 4 / 100, afterPreload * 6 / 100);
        assertThat(changes.keyUpdates()).isZero();
        assertThat(changes.changes()).isEqualTo(21_000).isEqualTo(statements.size());
        assertThat(changes.kafkaRecords()).isEqualTo(21_000 + changes.deletes());
        assertThat(changes.liveKeys()).isEqualTo(changes.inserts() - changes.deletes());
    }

    @Test
    void aKeyUpdateIsTwoChangesAndThreeKafkaRecords() throws Exception {
        FlightStateChanges changes = new FlightStateChanges(new ChangeMix(0, 0, 0, 100), new Random(1), new KeyPartitioner(3));
        for (int i = 0; i < 50; i++) {
            changes.addChange(batch); // inserts only, until the table has enough rows
        }

        assertThat(changes.addChange(batch)).isEqualTo(2);
        assertThat(statements.get(50)).startsWith("change key k").contains(" to k1e ");
        assertThat(changes.changes()).isEqualTo(52);
        assertThat(changes.kafkaRecords()).isEqualTo(53);
        assertThat(changes.liveKeys()).isEqualTo(50);
        // Per partition, as Kafka's own partitioner places each key's records: the old key's delete and tombstone,
        // the new key's create, and each of the 50 inserts before.
        long[] expected = new long[3];
        for (String statement : statements) {
            String[] words = statement.split(" ");
            if (statement.startsWith("change key")) {
                expected[kafkasPartition(words[2])] += 2;
                expected[kafkasPartition(words[4])] += 1;
            } else {
                expected[kafkasPartition(words[1])] += 1;
            }
        }
        assertThat(changes.kafkaRecordsByPartition()).isEqualTo(PartitionCounts.of(expected));
        assertThat(changes.kafkaRecordsByPartition().total()).isEqualTo(53);
    }

    /** The partition Kafka's default partitioner gives a flight_state key, as Debezium renders it. */
    private static int kafkasPartition(String icao24) {
        return BuiltInPartitioner.partitionForKey(("{\"icao24\":\"" + icao24 + "\"}").getBytes(StandardCharsets.UTF_8), 3);
    }

    @Test
    void aMixMustAddUpToAHundred() {
        assertThatThrownBy(() -> new ChangeMix(10, 85, 4, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10/85/4/0");
    }
}
