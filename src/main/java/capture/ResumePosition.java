package capture;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The position Debezium is let to resume from: the end of the last transaction it finished, never a
 * point inside one.
 *
 * <p>Debezium's PostgreSQL connector stores, with each change, the change's own LSN ({@code lsn_proc})
 * and on a restart skips everything up to the first message with a <em>different</em> LSN. PostgreSQL
 * logs a COPY or a multi-row INSERT as one WAL record for many rows, all with the same LSN, and a
 * primary-key update as a delete and a create from one record: a position stored in the middle of such
 * a record would make Debezium skip the rest of it, rows that never reached Kafka. Debezium's search
 * for that LSN can also land on a change of another transaction written at the same LSN.
 *
 * <p>So every position is rewritten, before it is stored, to the last commit Debezium had processed
 * ({@code lsn_commit}), without the change LSN and without the transaction counts: Debezium then streams
 * from that commit with no search, and PostgreSQL sends every transaction that committed after it, each
 * from its BEGIN. The changes of the transaction in progress are emitted again, whole and in the same
 * order; the loader recognises them by their transaction order (see {@link TransactionOrder}). The
 * replication slot is confirmed at the same commit, as Debezium confirms {@code lsn_commit}. In the first
 * transaction after the initial snapshot, before any commit, the change's own LSN serves the same way.
 */
final class ResumePosition {

    static final String LSN = "lsn";
    static final String LAST_COMMIT_LSN = "lsn_commit";
    static final String CHANGE_LSN = "lsn_proc";
    static final String MESSAGE_TYPE = "messageType";
    static final String TRANSACTION_PREFIX = "transaction_";
    static final String SNAPSHOT = "snapshot";

    private ResumePosition() {
    }

    /**
     * @param offset a position as Debezium's PostgreSQL connector stores it
     * @return the position to store instead. In the first transaction after the initial snapshot no commit has
     *     been processed yet: the change's own LSN then serves, as PostgreSQL sends from there every transaction
     *     that commits after it, that first one included, and never from before the slot's own start.
     */
    static Map<String, Object> resumePosition(Map<String, Object> offset) {
        // A snapshot's position is Debezium's own business: it snapshots again unless it finished.
        if (offset.containsKey(SNAPSHOT)) {
            return offset;
        }
        Object lastCommit = offset.get(LAST_COMMIT_LSN);
        Map<String, Object> resume = new LinkedHashMap<>();
        offset.forEach((key, value) -> {
            if (!key.equals(CHANGE_LSN) && !key.equals(MESSAGE_TYPE) && !key.startsWith(TRANSACTION_PREFIX)) {
                resume.put(key, value);
            }
        });
        if (lastCommit != null) {
            resume.put(LSN, lastCommit);
        }
        return resume;
    }
}
