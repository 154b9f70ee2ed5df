package warehouse;

import java.util.List;
import java.util.Map;

/**
 * A batch of Kafka records for the warehouse: the change events, the records that were not one,
 * and per partition the offset after the batch's last record, tombstones included, so that the
 * warehouse's offsets and the consumer group's agree even when a batch ends with a tombstone. The
 * ends of source transactions read from the transaction topic come apart: they tell which changes make
 * up a whole transaction (see load.TransactionBoundaries) and load nothing themselves.
 */
public record ChangeBatch(List<ChangeEvent> changes, List<DeadLetter> unreadable, Map<KafkaPartition, Long> nextOffsets,
                          List<TransactionEnd> transactionEnds) {

    public ChangeBatch {
        changes = List.copyOf(changes);
        unreadable = List.copyOf(unreadable);
        nextOffsets = Map.copyOf(nextOffsets);
        transactionEnds = List.copyOf(transactionEnds);
    }

    public ChangeBatch(List<ChangeEvent> changes, List<DeadLetter> unreadable, Map<KafkaPartition, Long> nextOffsets) {
        this(changes, unreadable, nextOffsets, List.of());
    }

    /** A batch of changes alone, as when nothing else was read. */
    public static ChangeBatch of(List<ChangeEvent> changes) {
        return new ChangeBatch(changes, List.of(), Map.of());
    }

    public int size() {
        return changes.size() + unreadable.size();
    }
}
