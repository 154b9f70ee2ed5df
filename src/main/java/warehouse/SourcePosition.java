package warehouse;

import java.util.Comparator;

/**
 * Where a change stands in the source's stream of changes, from Debezium's {@code source.sequence}:
 * the LSN of the last commit before the change's transaction, then the change's own LSN. Logical
 * decoding emits transactions in commit order, so this pair only grows along the stream. The one
 * exception is a primary-key update, which Debezium emits as a delete of the old key and a create of
 * the new one from the same WAL record; {@code order} puts the delete first.
 *
 * <p>After a crash Debezium resumes from its last stored position and emits again the changes after
 * it, which Kafka then holds twice at new offsets. A change at or below the newest position loaded
 * from its partition is such a replay.
 */
public record SourcePosition(long lastCommitLsn, long lsn, int order) implements Comparable<SourcePosition> {

    private static final Comparator<SourcePosition> ORDER = Comparator.comparingLong(SourcePosition::lastCommitLsn)
            .thenComparingLong(SourcePosition::lsn)
            .thenComparingInt(SourcePosition::order);

    public static SourcePosition of(long lastCommitLsn, long lsn, ChangeEvent.Operation operation) {
        return new SourcePosition(lastCommitLsn, lsn, operation == ChangeEvent.Operation.DELETE ? 0 : 1);
    }

    @Override
    public int compareTo(SourcePosition other) {
        return ORDER.compare(this, other);
    }

    public boolean isAfter(SourcePosition other) {
        return other == null || compareTo(other) > 0;
    }
}
