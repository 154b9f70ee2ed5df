package bench;

import java.util.Map;
import warehouse.KafkaPartition;
import warehouse.PartitionProgress;
import warehouse.duckdb.DuckDbWarehouse;

/** How many records of a topic the warehouse has loaded, as the benchmark's clocks read them (Kafka's: {@link BenchKafka}). */
final class RecordCounts {

    private RecordCounts() {
    }

    /** {@link #loaded} per partition of a topic of {@code partitions}. */
    static PartitionCounts loadedByPartition(DuckDbWarehouse warehouse, String topic, int partitions) {
        long[] loaded = new long[partitions];
        warehouse.progress().forEach((partition, progress) -> {
            if (partition.topic().equals(topic)) {
                loaded[partition.partition()] = progress.nextOffset();
            }
        });
        return PartitionCounts.of(loaded);
    }

    /** Records of the topic the warehouse has loaded, tombstones included: its stored next offsets. */
    static long loaded(DuckDbWarehouse warehouse, String topic) {
        long loaded = 0;
        for (Map.Entry<KafkaPartition, PartitionProgress> p : warehouse.progress().entrySet()) {
            if (p.getKey().topic().equals(topic)) {
                loaded += p.getValue().nextOffset();
            }
        }
        return loaded;
    }
}
