package load;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.DeadLetter;
import warehouse.KafkaPartition;
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
 * <p><b>By partition.</b> The change topics and the transaction topic have the same partitions, and the capture puts
 * a transaction's changes in partition p of their tables' topics and its END for them in partition p of the
 * transaction topic (see capture.TransactionOrder). So each partition number is a stream of its own, cut here on its
 * own ({@link Lane}): with one partition, a transaction is loaded whole; with several, each partition's share of it is,
 * and the shares may become visible at different times. The loader's consumers are given the same partition numbers
 * of every topic (Kafka's range assignor), so that one consumer reads all of a partition number.
 *
 * <p><b>Complete.</b> The END of a transaction in partition p says how many changes it made to each table there; a
 * change carries its number among its table's changes of its transaction in its partition (see
 * {@link SourcePosition#order}). A partition keeps its changes in order, so a transaction's share is complete once,
 * for each table, the change numbered with the table's count has been read, or the warehouse shows it applied. A
 * transaction emitted again after a capture restart is complete with its last copy: the first copy was cut off before
 * its last change.
 *
 * <p><b>In commit order.</b> Ends are read in commit order (one partition) and transactions are closed in that order,
 * up to the first one not complete. Each change carries the last commit LSN before its transaction, which grows with
 * commit order: every held change at or before the last commit LSN of the newest closed transaction may be loaded.
 * Snapshot reads and changes without transaction metadata are not part of a streamed transaction, and unreadable
 * records go to the dead-letter table: they wait only for what is before them in their partition. In each partition
 * what is released is the records before the first one held back, so that the warehouse's offsets never pass a held
 * record: after a restart Kafka delivers every held record again.
 *
 * <p><b>Too large.</b> When more changes wait than may be held ({@code flightcdc.load.max-transaction-changes}), the
 * transactions waiting are loaded in parts, with a warning: until its last part, a query sees part of one. Not while
 * the partition's consumer may still deliver what they wait for, though, unless the oldest of them is itself too large:
 * Kafka delivers a partition number's topics at paces of their own (one fetch of a compressed topic brings tens of
 * thousands of changes, while another topic waits for its first offset), so that many small transactions can wait at
 * once for records Kafka holds. They are held on, up to {@link #HELD_WHILE_READING_ON} times the limit, unless the oldest
 * one's share in its partition is more than the partition's share of the limit. Changes held
 * beyond {@link #HELD_WITH_ROWS} keep only their records' text, deflated.
 *
 * <p>Used by the load route's consumer threads, each with its own partitions: a partition number's state is touched by
 * one thread at a time. A batch the warehouse fails to take is delivered again by Kafka from the last committed
 * offsets; what was released from here then arrives again and is released again, and records already held are not
 * held twice. A partition Kafka takes from a consumer or gives to one is forgotten ({@link #forget}) and read again
 * from the warehouse's offsets: another loader may have loaded it meanwhile.
 */
public final class TransactionBoundaries {

    private static final Logger LOG = LoggerFactory.getLogger("load");
    /**
     * The most changes held with their row images as trees, in all partitions: a batch's worth
     * ({@code flightcdc.load.max-batch}'s default). Those held beyond keep only their records' text, deflated
     * against another record of their table (ChangeEvent#withoutRow): about a thirteenth of the heap. They are read again
     * as they are loaded.
     */
    static final int HELD_WITH_ROWS = 10_000;
    /**
     * How many times {@code flightcdc.load.max-transaction-changes} may be held while the transactions waiting are only
     * waiting for Kafka to deliver the rest of them: a bound on the heap should a partition's consumer keep reading on.
     */
    static final int HELD_WHILE_READING_ON = 4;

    private volatile boolean enabled;
    private final int maxHeldChanges;
    private final Function<TableId, String> topicFor;
    private final Supplier<Map<KafkaPartition, PartitionProgress>> loaded;
    private final Map<Integer, Lane> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger heldChanges = new AtomicInteger();
    /** Per table, the record value (UTF-8) that the values of its changes held without rows are packed against. */
    private final Map<TableId, byte[]> dictionaries = new ConcurrentHashMap<>();

    /**
     * @param enabled whether to cut at transaction boundaries at all ({@code flightcdc.load.transaction-boundaries})
     * @param maxHeldChanges the most changes held back waiting for their transactions to complete, in all partitions
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

    /** The part of what has been read that holds only whole transactions, as if Kafka had nothing more to deliver. */
    public ChangeBatch cut(ChangeBatch batch) {
        return cut(batch, partition -> false);
    }

    /**
     * The part of what has been read that holds only whole transactions: {@code batch}'s and what was held back before.
     *
     * @param undelivered whether Kafka may hold records of a partition number that its consumer has not delivered yet
     *     (load.Undelivered): past the limit, what waits for them is held on rather than loaded in parts
     */
    public ChangeBatch cut(ChangeBatch batch, IntPredicate undelivered) {
        boolean on = enabled;
        Map<Integer, ChangeBatch> byPartition = byPartition(batch);
        if (!on && lanes.values().stream().allMatch(Lane::holdsNothing)) {
            return batch;
        }
        List<ChangeEvent> changes = new ArrayList<>();
        List<DeadLetter> unreadable = new ArrayList<>();
        Map<KafkaPartition, Long> nextOffsets = new HashMap<>();
        byPartition.forEach((partition, read) -> {
            Lane lane = lanes.computeIfAbsent(partition, Lane::new);
            ChangeBatch released;
            synchronized (lane) {
                released = lane.cut(read, on, undelivered);
            }
            changes.addAll(released.changes());
            unreadable.addAll(released.unreadable());
            nextOffsets.putAll(released.nextOffsets());
        });
        return new ChangeBatch(changes, unreadable, nextOffsets);
    }

    /**
     * Whether each source transaction is loaded whole from now on; off, whatever is held back is loaded with the next
     * batch. The benchmark compares the latency either way on one running pipeline.
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * Drops what is held of these partition numbers. Kafka took them from the consumer that reads them, or gave them to
     * it: held records are read again from the warehouse's progress, which never passes one (see PartitionHandover),
     * and another loader may have loaded some of them meanwhile.
     */
    public void forget(Collection<Integer> partitions) {
        for (Integer partition : partitions) {
            Lane lane = lanes.remove(partition);
            if (lane != null) {
                synchronized (lane) {
                    heldChanges.addAndGet(-lane.changesHeld());
                }
            }
        }
    }

    /** How many changes are held back, waiting for the rest of their transactions. */
    public int heldChanges() {
        return heldChanges.get();
    }

    /** {@code batch}'s records by their partition number, in the order read. */
    private static Map<Integer, ChangeBatch> byPartition(ChangeBatch batch) {
        Map<Integer, List<ChangeEvent>> changes = new TreeMap<>();
        Map<Integer, List<DeadLetter>> unreadable = new TreeMap<>();
        Map<Integer, Map<KafkaPartition, Long>> nextOffsets = new TreeMap<>();
        Map<Integer, List<TransactionEnd>> ends = new TreeMap<>();
        batch.changes().forEach(c -> changes.computeIfAbsent(c.partition(), p -> new ArrayList<>()).add(c));
        batch.unreadable().forEach(d -> unreadable.computeIfAbsent(d.partition(), p -> new ArrayList<>()).add(d));
        batch.transactionEnds().forEach(e -> ends.computeIfAbsent(e.partition(), p -> new ArrayList<>()).add(e));
        batch.nextOffsets().forEach((kp, next) -> nextOffsets.computeIfAbsent(kp.partition(), p -> new HashMap<>()).put(kp, next));
        Map<Integer, ChangeBatch> split = new TreeMap<>();
        nextOffsets.forEach((partition, next) -> split.put(partition, new ChangeBatch(
                changes.getOrDefault(partition, List.of()), unreadable.getOrDefault(partition, List.of()), next,
                ends.getOrDefault(partition, List.of()))));
        return split;
    }

    /** What was read of one partition number, in every topic, and not yet released. */
    private final class Lane {

        private final int partition;
        /** Per partition and offset: changes, unreadable records and ends. */
        private final Map<KafkaPartition, TreeMap<Long, Object>> held = new LinkedHashMap<>();
        /** Per partition, the offset after the last record read, tombstones included. */
        private final Map<KafkaPartition, Long> readUpTo = new HashMap<>();
        /** For each transaction not closed: the highest change number read per table, and the commit LSN before it. */
        private final Map<Long, Map<TableId, Long>> highestOrder = new HashMap<>();
        private final Map<Long, Long> lastCommitBefore = new HashMap<>();
        /** The last commit LSN before the newest closed transaction: changes at or before it may be loaded. */
        private long closedUpTo = Long.MIN_VALUE;
        private final Set<Long> loadedInParts = new HashSet<>();
        /** Whether the lane holds on past the limit, waiting for what Kafka has not delivered yet. */
        private boolean readingOn;

        Lane(int partition) {
            this.partition = partition;
        }

        synchronized boolean holdsNothing() {
            return held.isEmpty();
        }

        int changesHeld() {
            return (int) held.values().stream().flatMap(r -> r.values().stream()).filter(ChangeEvent.class::isInstance).count();
        }

        ChangeBatch cut(ChangeBatch batch, boolean on, IntPredicate undelivered) {
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
            boolean tooMany = heldChanges.get() > maxHeldChanges;
            readingOn &= tooMany;
            if (tooMany && !readOn(undelivered)) {
                warnLoadingInParts();
                // Every change, but no end of a transaction not closed: read again after a restart, it closes the transaction.
                return release(batch, record -> releasable(record) || !(record instanceof TransactionEnd));
            }
            return release(batch, this::releasable);
        }

        private void hold(ChangeEvent change) {
            SourcePosition position = change.position();
            boolean inTransaction = change.streamed() && position.order() != null && change.txId() != null;
            // Beyond a batch's worth, a change is held as its record's text, packed: the rest of a large transaction fits
            // the heap.
            ChangeEvent held = heldChanges.get() < HELD_WITH_ROWS ? change
                    : change.withoutRow(dictionaries.computeIfAbsent(change.table(), t -> change.value()));
            if (!hold(new KafkaPartition(change.topic(), change.partition()), change.offset(), held)) {
                return;
            }
            heldChanges.incrementAndGet();
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
            ends.sort(Comparator.comparing((TransactionEnd e) -> e.topic()).thenComparingLong(TransactionEnd::offset));
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

        /** Whether each table's last change in the transaction's share has been read, or is in the warehouse already. */
        private boolean complete(TransactionEnd end, long lastCommit) {
            Map<TableId, Long> read = highestOrder.getOrDefault(end.txId(), Map.of());
            for (Map.Entry<TableId, Long> count : end.eventCounts().entrySet()) {
                if (read.getOrDefault(count.getKey(), 0L) >= count.getValue()) {
                    continue;
                }
                // Read before a restart of the loader, and loaded as part of a transaction too large to hold.
                PartitionProgress progress = loaded.get().get(new KafkaPartition(topicFor.apply(count.getKey()), end.partition()));
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
                        heldChanges.decrementAndGet();
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

        /**
         * Past the limit, whether to hold on rather than load in parts: while this partition's consumer may deliver more,
         * the transactions waiting may be waiting only for that. Not when the oldest of them is itself too large to hold
         * (its share here takes more than this lane's share of the limit, as each partition holds its share of a large
         * transaction), nor past {@link #HELD_WHILE_READING_ON} times the limit.
         */
        private boolean readOn(IntPredicate undelivered) {
            int held = heldChanges.get();
            boolean holdOn = held <= (long) maxHeldChanges * HELD_WHILE_READING_ON
                    && oldestWaitingSize() * Math.max(1, lanes.size()) < maxHeldChanges && undelivered.test(partition);
            if (holdOn && !readingOn) {
                LOG.info("Holding {} changes, past flightcdc.load.max-transaction-changes = {}, while partition {} is read"
                        + " on: its topics arrive at paces of their own, and the transactions waiting are not complete in"
                        + " what Kafka has delivered so far", held, maxHeldChanges, partition);
            }
            readingOn = holdOn;
            return holdOn;
        }

        /** How many changes the lane holds of the oldest transaction waiting to be complete. */
        private long oldestWaitingSize() {
            Map<Long, Long> sizes = new HashMap<>();
            Long oldest = null;
            long oldestCommitBefore = Long.MAX_VALUE;
            for (TreeMap<Long, Object> records : held.values()) {
                for (Object record : records.values()) {
                    if (record instanceof ChangeEvent c && c.txId() != null && !releasable(c)) {
                        sizes.merge(c.txId(), 1L, Long::sum);
                        if (c.position().lastCommitLsn() < oldestCommitBefore) {
                            oldestCommitBefore = c.position().lastCommitLsn();
                            oldest = c.txId();
                        }
                    }
                }
            }
            return oldest == null ? 0 : sizes.get(oldest);
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
                    // Said of every transaction waiting, the small ones that arrived behind a large one too.
                    LOG.warn("Transaction {} is loaded in parts: the changes held back until their transactions are"
                            + " complete passed flightcdc.load.max-transaction-changes = {} ({} held of this one); until"
                            + " its last part is loaded a query sees part of it", txId, maxHeldChanges, size);
                }
            });
        }
    }
}
