package warehouse;

/**
 * Where a change stands in the source's stream of changes to its table: the LSN of the last commit before
 * its transaction and the change's own LSN (Debezium's {@code source.sequence}), and its number among its
 * table's changes in the transaction (Debezium's {@code transaction.data_collection_order}, counted by the
 * capture).
 *
 * <p>Logical decoding emits transactions whole and in commit order, so the last commit before a
 * transaction identifies it and only grows along the stream; within a transaction the order grows with
 * each change. The LSN alone is not an identity: PostgreSQL logs a COPY or a multi-row INSERT as one WAL
 * record for many rows, and a primary-key update as a delete and a create from one record, so distinct
 * changes share it. The pair (last commit, order) is exact, and it is the same when Debezium emits a
 * transaction again after a restart, which is how such a change is recognised.
 *
 * @param order null for a record that carries no transaction metadata (written by an earlier version of
 *     the capture, or by a Debezium connector without {@code provide.transaction.metadata}): its identity
 *     is then exact only up to the WAL record
 */
public record SourcePosition(long lastCommitLsn, long lsn, Long order) {

    /**
     * Whether a change at this position is provably one that was already applied when {@code applied} was
     * the newest position applied from the same partition. Without the order on both sides, a change at the
     * same LSN might be a distinct row of the same WAL record, so it is not.
     */
    public boolean isAtOrBefore(SourcePosition applied) {
        if (applied == null) {
            return false;
        }
        if (lastCommitLsn != applied.lastCommitLsn) {
            return lastCommitLsn < applied.lastCommitLsn;
        }
        if (order != null && applied.order != null) {
            return order <= applied.order;
        }
        return lsn < applied.lsn;
    }

    /**
     * Whether this position provably comes after {@code other} in the stream; anything comes after none.
     * Without the order on both sides, two changes of one WAL record are in no known order.
     */
    public boolean isAfter(SourcePosition other) {
        if (other == null) {
            return true;
        }
        if (lastCommitLsn != other.lastCommitLsn) {
            return lastCommitLsn > other.lastCommitLsn;
        }
        if (order != null && other.order != null) {
            return order > other.order;
        }
        return lsn > other.lsn;
    }

    /** The first change of its table in its transaction: where a transaction emitted again starts. */
    public boolean startsTransaction() {
        return order != null && order == 1;
    }
}
