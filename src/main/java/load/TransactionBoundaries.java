package load;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.DeadLetter;
import warehouse.KafkaPartition;
import warehouse.LoadRefusedException;
import warehouse.PartitionProgress;
import warehouse.SourcePosition;
import warehouse.TableId;
import warehouse.TransactionEnd;

/**
 * Cuts what Kafka delivers into loads that hold whole source transactions, so that a transaction
 * becomes visible in the warehouse all at once, across tables too. Kafka delivers batches of a size of
 * its own, and a transaction's changes arrive in several topics and polls; the changes of a transaction
 * are held back until it is complete, and released with it.
 *
 * <p><b>Complete.</b> The capture publishes the END of each transaction to the transaction topic, with how many
 * changes it made to each table; a change carries its number among its table's changes in its transaction
 * (see {@link SourcePosition#order}). A table's topic has one partition, in which a transaction's changes come in
 * order, so a transaction is complete once, for each table, the change numbered with the table's count has been
 * read, or the warehouse shows it applied. A transaction emitted again after a capture restart is complete with its
 * last copy: the first copy was cut off before its last change.
 *
 * <p><b>In commit order.</b> Ends are read in commit order (one partition) and transactions are closed in that order,
 * up to the first one not complete. Each change carries the last commit LSN before its transaction, which grows with
 * commit order: every held change at or before the last commit LSN of the newest closed transaction may be loaded.
 * Snapshot reads and changes without transaction metadata are not part of a streamed transaction, and unreadable
 * records go to the dead-letter table: they wait only for what is before them in their partition. In each partition
 * what is released is the records before the first one held back, so that the warehouse's offsets never pass a held
 * record: after a restart Kafka delivers every held record again.
 *
 * <p><b>Too large.</b> A transaction with more changes than may be held ({@code flightcdc.load.max-transaction-changes})
 * is loaded in parts, with a warning: until its last part, a query sees part of it.
 *
 * <p>Used on the load route's consumer thread only. A batch the warehouse fails to take is delivered again by Kafka
 * from the last committed offsets; what was released from here then arrives again and is released again.
 */
public final class TransactionBoundaries {

    private static final Logger LOG = LoggerFactory.getLogger("load");

    private volatile boolean enabled;
    private final int maxHeldChanges;
    private final Function<TableId, String> topicFor;
    private final Supplier<Map<KafkaPartition, PartitionProgress>> loaded;

    /** What was read and not yet released, per partition and offset: changes, unreadable records and ends. */
    private final Map<KafkaPartition, TreeMap<Long, Object>> held = new LinkedHashMap<>();
    /** Per partition, the offset after the last record read, tombstones included. */
    private final Map<KafkaPartition, Long> readUpTo = new HashMap<>();
    /** For each transaction not closed: the highest change number read per table, and the commit LSN before it. */
    private final Map<Long, Map<TableId, Long>> highestOrder = new HashMap<>();
    private final Map<Long, Long> lastCommitBefore = new HashMap<>();
    /** The last commit LSN before the newest closed transaction: changes at or before it may be loaded. */
    private long closedUpTo = Long.MIN_VALUE;
    private int heldChanges;
    private final Set<Long> loadedInParts = new HashSet<>();

    /**
     * @param enabled whether to cut at transaction boundaries at all ({@code flightcdc.load.transaction-boundaries})
     * @param maxHeldChanges the most changes held back waiting for their transactions to complete
     * @param topicFor the topic of a table's changes
     * @param loaded how far the warehouse has loaded each partition
     */
    public TransactionBoundaries(boolean enabled, int maxHeldChanges, Function<TableId, String> topicFor,
                                 Supplier<Map<KafkaPartition, PartitionProgress>> loaded) {
        this.enabled = enabled;
        this.maxHeldChanges = maxHeldChanges;
        this.topicFor = topicFor;
        this.loaded = loaded;
    }

    /** The part of what has been read that holds only whole transactions: {@code batch}'s and what was held back before. */
    public ChangeBatch cut(ChangeBatch batch) {
        boolean on = enabled;
        if (!on && held.isEmpty()) {
            return batch;
        }
        for (ChangeEvent change : batch.changes()) {
            hold(change);
        }
        for (DeadLetter unreadable : batch.unreadable()) {
            hold(new KafkaPartition(unreadable.topic(), unreadable.partition()), unreadable.offset(), unreadable);
        }
        for (TransactionEnd end : batch.transactionEnds()) {
            hold(end.kafkaPartition(), end.offset(), end);
        }
        batch.nextOffsets().forEach((partition, next) -> readUpTo.merge(partition, next, Math::max));
        if (!on) {
            // Switched off: what was held back goes with this batch.
            return release(batch, record -> true);
        }
        closeCompleteTransactions();
        if (heldChanges > maxHeldChanges) {
            warnLoadingInParts();
            // Every change, but no end of a transaction not closed: read again after a restart, it closes the transaction.
            return release(batch, record -> releasable(record) || !(record instanceof TransactionEnd));
        }
        return release(batch, this::releasable);
    }

    /**
     * Whether each source transaction is loaded whole from now on; off, whatever is held back is loaded with the next
     * batch. The benchmark compares the latency either way on one running pipeline.
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** How many changes are held back, waiting for the rest of their transactions. */
    public int heldChanges() {
        return heldChanges;
    }

    private void hold(ChangeEvent change) {
        SourcePosition position = change.position();
        boolean inTransaction = change.streamed() && position.order() != null && change.txId() != null;
        if (inTransaction && change.partition() != 0) {
            throw new LoadRefusedException("Kafka delivered a change of " + change.table() + " from partition "
                    + change.partition() + " of " + change.topic() + ": loading whole transactions needs one partition"
                    + " per table topic, in which a transaction's changes keep their order. Nothing of this batch was"
                    + " loaded. Give the topic one partition, or set flightcdc.load.transaction-boundaries=false to load"
                    + " transactions in parts");
        }
        if (!hold(new KafkaPartition(change.topic(), change.partition()), change.offset(), change)) {
            return;
        }
        heldChanges++;
        if (inTransaction && position.lastCommitLsn() > closedUpTo) {
            highestOrder.computeIfAbsent(change.txId(), id -> new HashMap<>()).merge(change.table(), position.order(), Math::max);
            lastCommitBefore.put(change.txId(), position.lastCommitLsn());
        }
    }

    /** @return false for a record already held: Kafka delivered it again */
    private boolean hold(KafkaPartition partition, long offset, Object record) {
        return held.computeIfAbsent(partition, p -> new TreeMap<>()).putIfAbsent(offset, record) == null;
    }

    private void closeCompleteTransactions() {
        List<TransactionEnd> ends = new ArrayList<>();
        held.values().forEach(records -> records.values().stream()
                .filter(TransactionEnd.class::isInstance).map(TransactionEnd.class::cast).forEach(ends::add));
        ends.sort(Comparator.comparing((TransactionEnd e) -> e.topic()).thenComparingInt(TransactionEnd::partition)
                .thenComparingLong(TransactionEnd::offset));
        for (TransactionEnd end : ends) {
            Long lastCommit = lastCommitOf(end);
            if (lastCommit != null && lastCommit <= closedUpTo) {
                continue; // the end of a transaction emitted again, closed already
            }
            if (lastCommit == null || !complete(end, lastCommit)) {
                return;
            }
            closedUpTo = lastCommit;
            highestOrder.remove(end.txId());
            lastCommitBefore.remove(end.txId());
            loadedInParts.remove(end.txId());
        }
    }

    private Long lastCommitOf(TransactionEnd end) {
        return end.lastCommitLsn() != null ? end.lastCommitLsn() : lastCommitBefore.get(end.txId());
    }

    /** Whether each table's last change in the transaction has been read, or is in the warehouse already. */
    private boolean complete(TransactionEnd end, long lastCommit) {
        Map<TableId, Long> read = highestOrder.getOrDefault(end.txId(), Map.of());
        for (Map.Entry<TableId, Long> count : end.eventCounts().entrySet()) {
            if (read.getOrDefault(count.getKey(), 0L) >= count.getValue()) {
                continue;
            }
            // Read before a restart of the loader, and loaded as part of a transaction too large to hold.
            PartitionProgress progress = loaded.get().get(new KafkaPartition(topicFor.apply(count.getKey()), 0));
            SourcePosition newest = progress == null ? null : progress.newest();
            boolean applied = newest != null && (newest.lastCommitLsn() > lastCommit
                    || newest.lastCommitLsn() == lastCommit && newest.order() != null && newest.order() >= count.getValue());
            if (!applied) {
                return false;
            }
        }
        return true;
    }

    private boolean releasable(Object record) {
        if (record instanceof ChangeEvent change) {
            return !change.streamed() || change.position().order() == null || change.position().lastCommitLsn() <= closedUpTo;
        }
        if (record instanceof TransactionEnd end) {
            Long lastCommit = lastCommitOf(end);
            return lastCommit != null && lastCommit <= closedUpTo;
        }
        return true;
    }

    /** Per partition, the records before the first one that may not be released. */
    private ChangeBatch release(ChangeBatch read, Predicate<Object> releasable) {
        List<ChangeEvent> changes = new ArrayList<>();
        List<DeadLetter> unreadable = new ArrayList<>();
        Map<KafkaPartition, Long> nextOffsets = new HashMap<>();
        for (Map.Entry<KafkaPartition, TreeMap<Long, Object>> partition : held.entrySet()) {
            TreeMap<Long, Object> records = partition.getValue();
            boolean released = false;
            while (!records.isEmpty() && releasable.test(records.firstEntry().getValue())) {
                Object record = records.pollFirstEntry().getValue();
                released = true;
                if (record instanceof ChangeEvent change) {
                    changes.add(change);
                    heldChanges--;
                } else if (record instanceof DeadLetter d) {
                    unreadable.add(d);
                }
            }
            // A partition that released nothing and still holds records has not moved: no offset is stored or
            // committed for it (an offset committed that the warehouse has not stored looks like a group ahead of it).
            if (records.isEmpty()) {
                nextOffsets.put(partition.getKey(), readUpTo.get(partition.getKey()));
            } else if (released) {
                nextOffsets.put(partition.getKey(), records.firstKey());
            }
        }
        // Partitions that delivered only tombstones: nothing of them was held.
        read.nextOffsets().keySet().stream().filter(p -> !held.containsKey(p))
                .forEach(p -> nextOffsets.putIfAbsent(p, readUpTo.get(p)));
        held.values().removeIf(TreeMap::isEmpty);
        return new ChangeBatch(changes, unreadable, nextOffsets);
    }

    private void warnLoadingInParts() {
        Map<Long, Long> sizes = new LinkedHashMap<>();
        held.values().forEach(records -> records.values().forEach(r -> {
            if (r instanceof ChangeEvent c && c.txId() != null && !releasable(c)) {
                sizes.merge(c.txId(), 1L, Long::sum);
            }
        }));
        sizes.forEach((txId, size) -> {
            if (loadedInParts.add(txId)) {
                LOG.warn("Transaction {} has more changes than may be held back until it is complete"
                        + " (flightcdc.load.max-transaction-changes = {}; {} held): it is loaded in parts, and until its"
                        + " last part is loaded a query sees part of it", txId, maxHeldChanges, size);
            }
        });
    }
}
