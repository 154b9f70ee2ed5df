package warehouse;

import java.util.Map;

/**
 * A source transaction's END marker as read from the transaction topic: the transaction's id, the commit
 * LSN before it (null when the marker does not say: Debezium's own markers do not), and how many changes it
 * made to each table. Its changes of a table are numbered 1 to that count (see {@link SourcePosition#order}).
 */
public record TransactionEnd(String topic, int partition, long offset, long txId, Long lastCommitLsn,
                             Map<TableId, Long> eventCounts) {

    public TransactionEnd {
        eventCounts = Map.copyOf(eventCounts);
    }

    public KafkaPartition kafkaPartition() {
        return new KafkaPartition(topic, partition);
    }
}
