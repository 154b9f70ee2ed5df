package warehouse;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The analytical destination. It keeps, per captured table, a current-state table equal to the
 * source and an append-only history of every change, and it remembers the Kafka offsets it has
 * loaded in the same transaction as the data, so a redelivered change is never applied twice.
 */
public interface Warehouse extends AutoCloseable {

    /** Creates the tables of these source tables if they do not exist yet. */
    void prepare(List<TableSchema> tables) throws Exception;

    /**
     * Applies a batch in one transaction: changes loaded before, or emitted again by the capture, are
     * skipped; what the warehouse cannot apply goes to its dead-letter table, and the rest is applied.
     */
    LoadResult load(ChangeBatch batch) throws Exception;

    /** How far each Kafka partition is loaded, as committed with the data. */
    Map<KafkaPartition, PartitionProgress> progress();

    /**
     * {@link #progress}, read from the warehouse again: another loader of the consumer group may have loaded some
     * partitions since (Kafka gives a partition to one loader at a time, and moves it when loaders come and go). A
     * warehouse only one loader writes knows it already.
     */
    default Map<KafkaPartition, PartitionProgress> progressReadAgain() throws Exception {
        return progress();
    }

    /** Where a direct snapshot loads its rows (snapshot/DirectSnapshot); empty for a warehouse that takes none. */
    default Optional<SnapshotLoad> directSnapshot() {
        return Optional.empty();
    }
}
