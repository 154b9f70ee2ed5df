package warehouse;

/**
 * How far the warehouse has loaded one Kafka partition: the next offset to read, and the newest
 * source position applied from it (null until a streamed change was applied). Both are stored in
 * the same transaction as the data they describe.
 */
public record PartitionProgress(long nextOffset, SourcePosition newest) {

    public static final PartitionProgress NONE = new PartitionProgress(0, null);

    /** This progress once {@code change}, read from this partition, is accounted for. */
    public PartitionProgress after(ChangeEvent change) {
        SourcePosition position = change.streamed() && change.position().isAfter(newest) ? change.position() : newest;
        return new PartitionProgress(Math.max(nextOffset, change.offset() + 1), position);
    }

    /** This progress once the record at {@code offset} is accounted for without being applied. */
    public PartitionProgress past(long offset) {
        return new PartitionProgress(Math.max(nextOffset, offset + 1), newest);
    }

    public boolean loaded(long offset) {
        return offset < nextOffset;
    }

    /** A streamed change at or before the newest position applied is one Debezium emitted again after a restart. */
    public boolean replayed(ChangeEvent change) {
        return change.streamed() && newest != null && !change.position().isAfter(newest);
    }
}
