package load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import warehouse.ChangeEvent.Operation;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.ChangeEventDecoder;
import warehouse.DeadLetter;
import warehouse.KafkaPartition;
import warehouse.PartitionProgress;
import warehouse.SourcePosition;
import warehouse.TableId;
import warehouse.TransactionEnd;

class TransactionBoundariesTest {

    private static final String FLIGHTS = "flightcdc.public.flight_state";
    private static final String AIRPORTS = "flightcdc.public.airport";
    private static final String ENDS = "flightcdc.transaction";
    private static final TableId FLIGHT_STATE = new TableId("public", "flight_state");
    private static final TableId AIRPORT = new TableId("public", "airport");

    private final Map<KafkaPartition, PartitionProgress> warehouse = new HashMap<>();
    private final TransactionBoundaries boundaries = boundaries(1000);
    private final Map<String, Long> nextOffset = new HashMap<>();

    private TransactionBoundaries boundaries(int maxHeld) {
        return new TransactionBoundaries(true, maxHeld,
                t -> t.equals(AIRPORT) ? AIRPORTS : FLIGHTS, () -> Map.copyOf(warehouse));
    }

    /** Change {@code order} of transaction {@code txId} to a table, the next record of its topic. */
    private ChangeEvent change(String topic, long txId, long lastCommitLsn, long order) {
        return change(topic, 0, txId, lastCommitLsn, order);
    }

    /** ... in a partition of the topic. */
    private ChangeEvent change(String topic, int partition, long txId, long lastCommitLsn, long order) {
        TableId table = topic.equals(AIRPORTS) ? AIRPORT : FLIGHT_STATE;
        return new ChangeEvent(topic, partition, next(topic + "/" + partition), table, Operation.CREATE,
                new SourcePosition(lastCommitLsn, lastCommitLsn + order, order), txId, 0L,
                JsonNodeFactory.instance.objectNode().put("id", txId + "-" + order), "{}");
    }

    private ChangeEvent snapshotRead(String topic) {
        return new ChangeEvent(topic, 0, next(topic), FLIGHT_STATE, Operation.READ,
                new SourcePosition(0, 10, null), null, 0L, JsonNodeFactory.instance.objectNode(), "{}");
    }

    private TransactionEnd end(long txId, long lastCommitLsn, Map<TableId, Long> counts) {
        return end(0, txId, lastCommitLsn, counts);
    }

    private TransactionEnd end(int partition, long txId, long lastCommitLsn, Map<TableId, Long> counts) {
        return new TransactionEnd(ENDS, partition, next(ENDS + "/" + partition), txId, lastCommitLsn, counts);
    }

    private long next(String topic) {
        return nextOffset.merge(topic, 1L, Long::sum) - 1;
    }

    private ChangeBatch read(List<ChangeEvent> changes, TransactionEnd... ends) {
        Map<KafkaPartition, Long> next = new HashMap<>();
        changes.forEach(c -> next.merge(new KafkaPartition(c.topic(), c.partition()), c.offset() + 1, Math::max));
        for (TransactionEnd e : ends) {
            next.merge(e.kafkaPartition(), e.offset() + 1, Math::max);
        }
        return new ChangeBatch(changes, List.of(), next, List.of(ends));
    }

    private static List<String> ids(ChangeBatch batch) {
        return batch.changes().stream().map(c -> c.row().path("id").asText()).toList();
    }

    @Test
    void aTransactionSplitOverTwoDeliveriesIsReleasedWholeWithItsEnd() {
        ChangeEvent a1 = change(FLIGHTS, 7, 100, 1);
        ChangeEvent a2 = change(FLIGHTS, 7, 100, 2);
        ChangeBatch first = boundaries.cut(read(List.of(a1, a2)));

        assertThat(first.changes()).isEmpty();
        assertThat(first.nextOffsets()).as("no offset stored or committed before a record held back").isEmpty();
        assertThat(boundaries.heldChanges()).isEqualTo(2);

        ChangeBatch second = boundaries.cut(read(List.of(change(FLIGHTS, 7, 100, 3)),
                end(7, 100, Map.of(FLIGHT_STATE, 3L))));

        assertThat(ids(second)).containsExactly("7-1", "7-2", "7-3");
        assertThat(second.nextOffsets()).containsEntry(new KafkaPartition(FLIGHTS, 0), 3L)
                .containsEntry(new KafkaPartition(ENDS, 0), 1L);
        assertThat(boundaries.heldChanges()).isZero();
    }

    @Test
    void anEndReadBeforeTheLastChangesOfATransactionWaitsForThem() {
        ChangeBatch first = boundaries.cut(read(List.of(change(FLIGHTS, 7, 100, 1)),
                end(7, 100, Map.of(FLIGHT_STATE, 2L))));

        assertThat(first.changes()).isEmpty();
        assertThat(first.nextOffsets()).isEmpty();

        assertThat(ids(boundaries.cut(read(List.of(change(FLIGHTS, 7, 100, 2)))))).containsExactly("7-1", "7-2");
    }

    @Test
    void aTransactionOverTwoTablesWaitsForBoth() {
        ChangeBatch first = boundaries.cut(read(List.of(change(FLIGHTS, 7, 100, 1), change(FLIGHTS, 7, 100, 2)),
                end(7, 100, Map.of(FLIGHT_STATE, 2L, AIRPORT, 1L))));
        assertThat(first.changes()).isEmpty();

        ChangeBatch second = boundaries.cut(read(List.of(change(AIRPORTS, 7, 100, 1))));

        assertThat(ids(second)).containsExactlyInAnyOrder("7-1", "7-2", "7-1");
        assertThat(second.changes()).extracting(ChangeEvent::topic).containsOnly(FLIGHTS, AIRPORTS);
    }

    /** The end of the second transaction is no reason to load it while the first, committed before it, is incomplete. */
    @Test
    void transactionsAreReleasedInCommitOrder() {
        ChangeBatch first = boundaries.cut(read(
                List.of(change(AIRPORTS, 7, 100, 1), change(FLIGHTS, 8, 200, 1)),
                end(7, 100, Map.of(AIRPORT, 1L, FLIGHT_STATE, 1L)), end(8, 200, Map.of(FLIGHT_STATE, 1L))));

        assertThat(first.changes()).isEmpty();

        // Transaction 7's flight_state change was behind in its topic, before transaction 8's.
        ChangeBatch second = boundaries.cut(read(List.of()));
        assertThat(second.changes()).isEmpty();
    }

    @Test
    void laterTransactionsAreReleasedOnceTheEarlierOnesAreComplete() {
        List<ChangeEvent> flights = List.of(change(FLIGHTS, 7, 100, 1), change(FLIGHTS, 8, 200, 1), change(FLIGHTS, 9, 300, 1));
        ChangeBatch first = boundaries.cut(read(flights,
                end(7, 100, Map.of(FLIGHT_STATE, 1L, AIRPORT, 1L)), end(8, 200, Map.of(FLIGHT_STATE, 1L))));
        assertThat(first.changes()).isEmpty();

        ChangeBatch second = boundaries.cut(read(List.of(change(AIRPORTS, 7, 100, 1))));

        assertThat(ids(second)).containsExactlyInAnyOrder("7-1", "7-1", "8-1");
        assertThat(second.nextOffsets()).containsEntry(new KafkaPartition(FLIGHTS, 0), 2L)
                .containsEntry(new KafkaPartition(ENDS, 0), 2L);
    }

    /**
     * After a capture restart, a transaction is emitted again from its first change: the copy cut off before its
     * end is no reason to take the transaction for complete, and both copies are released with it.
     */
    @Test
    void aTransactionEmittedAgainIsCompleteWithItsLastCopy() {
        List<ChangeEvent> changes = new ArrayList<>(List.of(change(FLIGHTS, 7, 100, 1), change(FLIGHTS, 7, 100, 2)));
        changes.addAll(List.of(change(FLIGHTS, 7, 100, 1), change(FLIGHTS, 7, 100, 2)));
        ChangeBatch first = boundaries.cut(read(changes));
        assertThat(first.changes()).isEmpty();

        ChangeBatch second = boundaries.cut(read(List.of(change(FLIGHTS, 7, 100, 3)), end(7, 100, Map.of(FLIGHT_STATE, 3L))));

        assertThat(ids(second)).containsExactly("7-1", "7-2", "7-1", "7-2", "7-3");
    }

    @Test
    void anEndSeenAgainIsReleasedWithoutWaiting() {
        boundaries.cut(read(List.of(change(FLIGHTS, 7, 100, 1)), end(7, 100, Map.of(FLIGHT_STATE, 1L))));

        ChangeBatch again = boundaries.cut(read(List.of(change(FLIGHTS, 7, 100, 1)), end(7, 100, Map.of(FLIGHT_STATE, 1L))));

        assertThat(ids(again)).containsExactly("7-1");
        assertThat(again.nextOffsets()).containsEntry(new KafkaPartition(ENDS, 0), 2L);
    }

    @Test
    void snapshotReadsAndUnreadableRecordsWaitOnlyForWhatIsBeforeThemInTheirTopic() {
        ChangeEvent read = snapshotRead(AIRPORTS);
        ChangeEvent held = change(FLIGHTS, 7, 100, 1);
        DeadLetter garbage = DeadLetter.unreadable(FLIGHTS, 0, next(FLIGHTS + "/0"), "not a change event", "garbage");

        ChangeBatch batch = boundaries.cut(new ChangeBatch(List.of(read, held), List.of(garbage),
                Map.of(new KafkaPartition(AIRPORTS, 0), 1L, new KafkaPartition(FLIGHTS, 0), 2L)));

        assertThat(batch.changes()).containsExactly(read);
        assertThat(batch.unreadable()).isEmpty();
        assertThat(batch.nextOffsets()).containsEntry(new KafkaPartition(AIRPORTS, 0), 1L)
                .doesNotContainKey(new KafkaPartition(FLIGHTS, 0));
    }

    /** Kafka delivers again from the last committed offset after a failed load: what is held is not held twice. */
    @Test
    void recordsDeliveredAgainAreHeldOnce() {
        ChangeEvent a1 = change(FLIGHTS, 7, 100, 1);
        boundaries.cut(read(List.of(a1)));
        boundaries.cut(read(List.of(a1)));

        assertThat(boundaries.heldChanges()).isEqualTo(1);
        assertThat(ids(boundaries.cut(read(List.of(change(FLIGHTS, 7, 100, 2)), end(7, 100, Map.of(FLIGHT_STATE, 2L))))))
                .containsExactly("7-1", "7-2");
    }

    /**
     * Kafka took partition 0 from this loader while it held the start of transaction 7, and gave it back once another
     * loader had loaded on: it is read again from the warehouse's offsets, and what was held of it is forgotten.
     * Partition 1 stayed, and keeps what it holds.
     */
    @Test
    void aPartitionKafkaMovesIsForgottenAndTheOthersKeepWhatTheyHold() {
        boundaries.cut(read(List.of(change(FLIGHTS, 0, 7, 100, 1), change(FLIGHTS, 1, 9, 300, 1))));
        assertThat(boundaries.heldChanges()).isEqualTo(2);

        boundaries.forget(List.of(0));

        assertThat(boundaries.heldChanges()).isEqualTo(1);
        nextOffset.put(FLIGHTS + "/0", 2L);
        nextOffset.put(ENDS + "/0", 1L);
        ChangeBatch readAgain = boundaries.cut(read(List.of(change(FLIGHTS, 0, 8, 200, 1)),
                end(0, 8, 200, Map.of(FLIGHT_STATE, 1L))));
        assertThat(ids(readAgain)).as("transaction 7, loaded by the other loader, is not released again").containsExactly("8-1");
        assertThat(readAgain.nextOffsets()).containsEntry(new KafkaPartition(FLIGHTS, 0), 3L)
                .containsEntry(new KafkaPartition(ENDS, 0), 2L);
        assertThat(ids(boundaries.cut(read(List.of(change(FLIGHTS, 1, 9, 300, 2)),
                end(1, 9, 300, Map.of(FLIGHT_STATE, 2L)))))).containsExactly("9-1", "9-2");
        assertThat(boundaries.heldChanges()).isZero();
    }

    @Test
    void aTransactionLargerThanMayBeHeldIsReleasedInPartsButItsEndWaitsForItsLastChange() {
        TransactionBoundaries small = boundaries(2);
        ChangeBatch first = small.cut(read(List.of(change(FLIGHTS, 7, 100, 1), change(FLIGHTS, 7, 100, 2),
                change(FLIGHTS, 7, 100, 3)), end(7, 100, Map.of(FLIGHT_STATE, 4L))));

        assertThat(ids(first)).containsExactly("7-1", "7-2", "7-3");
        assertThat(first.nextOffsets()).containsEntry(new KafkaPartition(FLIGHTS, 0), 3L)
                .doesNotContainKey(new KafkaPartition(ENDS, 0));

        ChangeBatch last = small.cut(read(List.of(change(FLIGHTS, 7, 100, 4), change(FLIGHTS, 8, 200, 1))));

        assertThat(ids(last)).containsExactly("7-4");
        assertThat(last.nextOffsets()).containsEntry(new KafkaPartition(FLIGHTS, 0), 4L)
                .containsEntry(new KafkaPartition(ENDS, 0), 1L);
    }

    /**
     * Kafka delivers a partition's topics at paces of their own: one fetch of a compressed topic brings tens of thousands
     * of changes while another topic waits for its first offset. Past the limit, small transactions that wait only for
     * what the consumer has not delivered yet are held on, and loaded whole once it has (a CrashRecoveryChaosTest seed
     * loaded 57 transactions in parts when a restart found 90,000 changes to load).
     */
    @Test
    void pastTheLimitTransactionsWaitingForWhatKafkaHasNotDeliveredAreHeldOnAndLoadedWhole() {
        TransactionBoundaries small = boundaries(2);
        ChangeBatch first = small.cut(read(List.of(change(FLIGHTS, 7, 100, 1), change(FLIGHTS, 8, 200, 1),
                        change(FLIGHTS, 8, 200, 2), change(FLIGHTS, 9, 300, 1)),
                end(7, 100, Map.of(FLIGHT_STATE, 1L, AIRPORT, 1L)), end(8, 200, Map.of(FLIGHT_STATE, 2L)),
                end(9, 300, Map.of(FLIGHT_STATE, 1L))), partition -> partition == 0);

        assertThat(first.changes()).as("released while the airports' topic may still deliver").isEmpty();
        assertThat(first.nextOffsets()).isEmpty();
        assertThat(small.heldChanges()).isEqualTo(4);

        ChangeBatch second = small.cut(read(List.of(change(AIRPORTS, 7, 100, 1))), partition -> false);

        assertThat(ids(second)).containsExactlyInAnyOrder("7-1", "7-1", "8-1", "8-2", "9-1");
        assertThat(second.nextOffsets()).containsEntry(new KafkaPartition(ENDS, 0), 3L);
        assertThat(small.heldChanges()).isZero();
    }

    @Test
    void pastTheLimitWithNothingMoreToDeliverTheTransactionsWaitingAreLoadedInParts() {
        TransactionBoundaries small = boundaries(2);
        ChangeBatch first = small.cut(read(List.of(change(FLIGHTS, 7, 100, 1), change(FLIGHTS, 8, 200, 1),
                        change(FLIGHTS, 8, 200, 2)), end(7, 100, Map.of(FLIGHT_STATE, 1L, AIRPORT, 1L)),
                end(8, 200, Map.of(FLIGHT_STATE, 2L))), partition -> false);

        assertThat(ids(first)).containsExactly("7-1", "8-1", "8-2");
        assertThat(first.nextOffsets()).doesNotContainKey(new KafkaPartition(ENDS, 0));
    }

    @Test
    void theOldestTransactionWaitingIsLoadedInPartsWhenItIsItselfTooLargeThoughKafkaHasMore() {
        TransactionBoundaries small = boundaries(2);
        ChangeBatch first = small.cut(read(List.of(change(FLIGHTS, 7, 100, 1), change(FLIGHTS, 7, 100, 2),
                change(FLIGHTS, 7, 100, 3))), partition -> true);

        assertThat(ids(first)).containsExactly("7-1", "7-2", "7-3");
    }

    /** With several partitions each holds its share of a large transaction: too large is more than its share of the limit. */
    @Test
    void theOldestTransactionWaitingIsLoadedInPartsWhenItsShareIsMoreThanItsPartitionsShareOfTheLimit() {
        TransactionBoundaries small = boundaries(4);
        assertThat(small.cut(read(List.of(change(FLIGHTS, 1, 9, 50, 1))), partition -> true).changes()).isEmpty();

        ChangeBatch first = small.cut(read(List.of(change(FLIGHTS, 7, 100, 1), change(FLIGHTS, 7, 100, 2),
                change(FLIGHTS, 8, 200, 1), change(FLIGHTS, 8, 200, 2))), partition -> true);

        assertThat(ids(first)).as("2 changes of transaction 7 here, the share of the limit of one of 2 partitions")
                .containsExactly("7-1", "7-2", "8-1", "8-2");
        assertThat(small.heldChanges()).isEqualTo(1);
    }

    @Test
    void changesAreHeldOnNoFurtherThanAFewTimesTheLimit() {
        int max = 2;
        int heldOn = max * TransactionBoundaries.HELD_WHILE_READING_ON;
        TransactionBoundaries small = boundaries(max);
        // Transaction 7 waits for its airport change, and each later one, of one change, waits behind it.
        List<ChangeEvent> waiting = new ArrayList<>(List.of(change(FLIGHTS, 7, 100, 1)));
        List<TransactionEnd> ends = new ArrayList<>(List.of(end(7, 100, Map.of(FLIGHT_STATE, 1L, AIRPORT, 1L))));
        for (long tx = 8; waiting.size() < heldOn; tx++) {
            waiting.add(change(FLIGHTS, tx, tx * 100, 1));
            ends.add(end(tx, tx * 100, Map.of(FLIGHT_STATE, 1L)));
        }
        assertThat(small.cut(read(waiting, ends.toArray(TransactionEnd[]::new)), partition -> true).changes()).isEmpty();
        assertThat(small.heldChanges()).isEqualTo(heldOn);

        long next = 7 + heldOn;
        ChangeBatch past = small.cut(read(List.of(change(FLIGHTS, next, next * 100, 1)),
                end(next, next * 100, Map.of(FLIGHT_STATE, 1L))), partition -> true);

        assertThat(past.changes()).hasSize(heldOn + 1);
    }

    /**
     * A transaction of more changes than {@link TransactionBoundaries#HELD_WITH_ROWS}: those held beyond keep only
     * their records' text, packed, and are released with the same texts and row images, read again from it.
     */
    @Test
    void changesHeldBeyondABatchsWorthKeepOnlyTheirTextAndAreReleasedWithTheirRows() {
        int size = TransactionBoundaries.HELD_WITH_ROWS + 2_000;
        ChangeEventDecoder decoder = new ChangeEventDecoder();
        List<ChangeEvent> changes = new ArrayList<>();
        for (int order = 1; order <= size; order++) {
            String value = "{\"before\":null,\"after\":{\"id\":\"7-" + order + "\",\"n\":" + order + "},"
                    + "\"source\":{\"schema\":\"public\",\"table\":\"flight_state\",\"txId\":7,\"lsn\":" + (100 + order)
                    + ",\"sequence\":\"[\\\"100\\\",\\\"" + (100 + order) + "\\\"]\"},"
                    + "\"transaction\":{\"id\":\"7:100\",\"data_collection_order\":" + order + "},\"op\":\"c\"}";
            changes.add(decoder.decode(FLIGHTS, 0, next(FLIGHTS + "/0"), value).orElseThrow());
        }
        TransactionBoundaries large = boundaries(size);
        assertThat(large.cut(read(changes.subList(0, size / 2))).changes()).isEmpty();

        List<ChangeEvent> released = large.cut(read(changes.subList(size / 2, size), end(7, 100, Map.of(FLIGHT_STATE,
                (long) size)))).changes();

        assertThat(released).hasSize(size);
        for (int i = 0; i < size; i++) {
            ChangeEvent change = released.get(i);
            assertThat(change.offset()).isEqualTo(changes.get(i).offset());
            assertThat(change.row()).isEqualTo(changes.get(i).row());
            assertThat(change.raw()).isEqualTo(changes.get(i).raw());
            assertThat(change.packedValue() != null).as("change %d packed", i)
                    .isEqualTo(i >= TransactionBoundaries.HELD_WITH_ROWS);
            // A row image read again is a tree of its own each time it is asked for.
            assertThat(change.row() == change.row()).as("change %d held with its tree", i)
                    .isEqualTo(i < TransactionBoundaries.HELD_WITH_ROWS);
        }
    }

    /**
     * The loader restarted in the middle of a transaction loaded in parts: Kafka delivers only the rest of it. The
     * warehouse's progress shows the first part applied, and the transaction's last change completes it.
     */
    @Test
    void aTransactionPartlyLoadedBeforeARestartIsCompletedByTheWarehousesProgress() {
        warehouse.put(new KafkaPartition(FLIGHTS, 0), new PartitionProgress(3, new SourcePosition(100, 103, 3L), null));
        nextOffset.put(FLIGHTS + "/0", 3L);

        ChangeBatch rest = boundaries.cut(read(List.of(change(FLIGHTS, 7, 100, 4)), end(7, 100, Map.of(FLIGHT_STATE, 4L,
                AIRPORT, 1L))));
        assertThat(rest.changes()).isEmpty();

        // Kafka hands the route only batches that hold records: the next change of the partition.
        warehouse.put(new KafkaPartition(AIRPORTS, 0), new PartitionProgress(1, new SourcePosition(100, 101, 1L), null));
        assertThat(ids(boundaries.cut(read(List.of(change(FLIGHTS, 8, 200, 1)))))).containsExactly("7-4");
    }

    @Test
    void offWhatKafkaDeliversIsLoadedAsItIs() {
        TransactionBoundaries off = new TransactionBoundaries(false, 1000, t -> FLIGHTS, Map::of);
        ChangeBatch batch = read(List.of(change(FLIGHTS, 7, 100, 1)));

        assertThat(off.cut(batch)).isSameAs(batch);
    }

    @Test
    void switchedOffWhatWasHeldBackIsReleasedWithTheNextBatch() {
        boundaries.cut(read(List.of(change(FLIGHTS, 7, 100, 1))));
        boundaries.setEnabled(false);

        ChangeBatch next = boundaries.cut(read(List.of(change(FLIGHTS, 7, 100, 2))));

        assertThat(ids(next)).containsExactly("7-1", "7-2");
        assertThat(boundaries.heldChanges()).isZero();
        ChangeBatch after = read(List.of(change(FLIGHTS, 8, 200, 1)));
        assertThat(boundaries.cut(after)).isSameAs(after);
    }

    /**
     * Two partitions: the capture numbered the transaction's changes per partition and ended it in both. Each
     * partition's share is released once its own end and changes are read, whatever the other partition holds, and the
     * warehouse's progress is read for the partition the end is of.
     */
    @Test
    void eachPartitionsShareOfATransactionIsReleasedWithItsOwnEnd() {
        ChangeEvent p0first = change(FLIGHTS, 0, 7, 100, 1);
        ChangeEvent p1first = change(FLIGHTS, 1, 7, 100, 1);
        ChangeEvent p1second = change(FLIGHTS, 1, 7, 100, 2);

        ChangeBatch read = boundaries.cut(read(List.of(p0first, p1first, p1second),
                end(1, 7, 100, Map.of(FLIGHT_STATE, 2L))));

        assertThat(read.changes()).containsExactly(p1first, p1second);
        assertThat(read.nextOffsets()).containsOnlyKeys(new KafkaPartition(FLIGHTS, 1), new KafkaPartition(ENDS, 1));
        assertThat(boundaries.heldChanges()).isEqualTo(1);

        // Partition 0's end counts two changes; the second was loaded before a restart of the loader.
        warehouse.put(new KafkaPartition(FLIGHTS, 0), new PartitionProgress(9, new SourcePosition(100, 102, 2L), null));
        ChangeBatch rest = boundaries.cut(read(List.of(), end(0, 7, 100, Map.of(FLIGHT_STATE, 2L))));

        assertThat(rest.changes()).containsExactly(p0first);
        assertThat(boundaries.heldChanges()).isZero();
    }
}
