package warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import warehouse.ChangeEvent.Operation;

class LoadPlanTest {

    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final KafkaPartition P0 = new KafkaPartition(TOPIC, 0);
    private static final TableId TABLE = new TableId("public", "flight_state");

    /** A change that is a transaction of its own. */
    private static ChangeEvent change(long offset, long lsn) {
        return change(offset, Operation.CREATE, new SourcePosition(lsn - 1, lsn, 1L), "a" + offset);
    }

    private static ChangeEvent change(long offset, Operation op, SourcePosition position, String key) {
        return new ChangeEvent(TOPIC, 0, offset, TABLE, op, position, 1L, 0L,
                JsonNodeFactory.instance.objectNode().put("icao24", key), "{}");
    }

    /** A COPY of {@code rows} rows in one transaction, all from one WAL record, at Kafka offsets from {@code firstOffset}. */
    private static List<ChangeEvent> copy(long firstOffset, int rows) {
        List<ChangeEvent> changes = new ArrayList<>();
        for (int i = 1; i <= rows; i++) {
            changes.add(change(firstOffset + i - 1, Operation.CREATE, new SourcePosition(500, 510, (long) i), "k" + i));
        }
        return changes;
    }

    @Test
    void anUnreadableRecordAfterChangesInTheSameBatchDoesNotHideThem() {
        ChangeBatch batch = new ChangeBatch(List.of(change(10, 100), change(11, 101)),
                List.of(DeadLetter.unreadable(TOPIC, 0, 12, "not a change event", "garbage")), Map.of());

        LoadPlan plan = LoadPlan.of(batch, Map.of(P0, new PartitionProgress(10, null, null)), t -> true);

        assertThat(plan.changes()).extracting(ChangeEvent::offset).containsExactly(10L, 11L);
        assertThat(plan.deadLetters()).extracting(DeadLetter::offset).containsExactly(12L);
        assertThat(plan.alreadyLoaded()).isZero();
        assertThat(plan.progress().get(P0)).isEqualTo(new PartitionProgress(13, new SourcePosition(100, 101, 1L), null));
    }

    @Test
    void recordsBelowTheLoadedOffsetAreSkippedAndReplaysOfNewerPositionsToo() {
        ChangeBatch batch = new ChangeBatch(List.of(change(9, 95), change(10, 96), change(11, 120)),
                List.of(DeadLetter.unreadable(TOPIC, 0, 8, "not a change event", "garbage")), Map.of());

        LoadPlan plan = LoadPlan.of(batch, Map.of(P0, new PartitionProgress(10, new SourcePosition(99, 100, 1L), null)), t -> true);

        assertThat(plan.alreadyLoaded()).isEqualTo(2);
        assertThat(plan.replayed()).isEqualTo(1);
        assertThat(plan.changes()).extracting(ChangeEvent::offset).containsExactly(11L);
        assertThat(plan.deadLetters()).isEmpty();
    }

    @Test
    void rowsThatShareAWalRecordAreAllAppliedThoughTheirPositionIsTheSame() {
        LoadPlan plan = LoadPlan.of(ChangeBatch.of(copy(0, 2_000)), Map.of(), t -> true);

        assertThat(plan.changes()).hasSize(2_000);
        assertThat(plan.replayed()).isZero();
        assertThat(plan.unexplained()).isEmpty();
    }

    @Test
    void aCopyEmittedAgainAfterARestartInsideItIsSkippedExactlyAndItsRestIsApplied() {
        List<ChangeEvent> first = copy(0, 1_000);
        // Loaded up to the 700th row when the pipeline crashed; Kafka holds the other 300, then Debezium emitted the
        // whole transaction again from its BEGIN, then a new transaction.
        Map<KafkaPartition, PartitionProgress> loaded = Map.of(P0, new PartitionProgress(700, first.get(699).position(), null));
        List<ChangeEvent> delivered = new ArrayList<>(first.subList(700, 1_000));
        copy(1_000, 1_000).forEach(delivered::add);
        delivered.add(change(2_000, Operation.UPDATE, new SourcePosition(600, 610, 1L), "k1"));

        LoadPlan plan = LoadPlan.of(ChangeBatch.of(delivered), loaded, t -> true);

        assertThat(plan.changes()).extracting(ChangeEvent::offset)
                .containsExactlyElementsOf(LongStream.concat(LongStream.range(700, 1_000), LongStream.of(2_000)).boxed().toList());
        assertThat(plan.replayed()).isEqualTo(1_000);
        assertThat(plan.unexplained()).isEmpty();
        assertThat(plan.progress().get(P0)).isEqualTo(new PartitionProgress(2_001, new SourcePosition(600, 610, 1L), null));
    }

    @Test
    void aReEmissionThatStraddlesBatchesIsFollowedAcrossThem() {
        List<ChangeEvent> first = copy(0, 10);
        Map<KafkaPartition, PartitionProgress> loaded = Map.of(P0, new PartitionProgress(10, first.get(9).position(), null));
        List<ChangeEvent> again = copy(10, 10);

        LoadPlan head = LoadPlan.of(ChangeBatch.of(again.subList(0, 4)), loaded, t -> true);
        LoadPlan tail = LoadPlan.of(ChangeBatch.of(again.subList(4, 10)), head.progress(), t -> true);

        assertThat(head.replayed() + tail.replayed()).isEqualTo(10);
        assertThat(head.unexplained()).isEmpty();
        assertThat(tail.unexplained()).isEmpty();
        assertThat(tail.progress().get(P0).replayedUpTo()).isEqualTo(again.get(9).position());
    }

    @Test
    void aChangeAtAnOlderPositionThatNoRestartExplainsIsSkippedAndReported() {
        Map<KafkaPartition, PartitionProgress> loaded = Map.of(P0, new PartitionProgress(5, new SourcePosition(900, 950, 3L), null));
        // The third change of an old transaction, with nothing before it: not how Debezium emits changes again.
        ChangeEvent stray = change(5, Operation.UPDATE, new SourcePosition(400, 410, 3L), "zz");

        LoadPlan plan = LoadPlan.of(ChangeBatch.of(List.of(stray)), loaded, t -> true);

        assertThat(plan.changes()).isEmpty();
        assertThat(plan.replayed()).isZero();
        assertThat(plan.unexplained()).containsExactly(stray);
    }

    @Test
    void aPrimaryKeyUpdatesDeleteAndCreateFromOneWalRecordAreBothApplied() {
        Map<KafkaPartition, PartitionProgress> loaded = Map.of(P0, new PartitionProgress(3, new SourcePosition(700, 705, 1L), null));
        ChangeEvent delete = change(3, Operation.DELETE, new SourcePosition(700, 720, 2L), "old");
        ChangeEvent create = change(4, Operation.CREATE, new SourcePosition(700, 720, 3L), "new");

        LoadPlan plan = LoadPlan.of(ChangeBatch.of(List.of(delete, create)), loaded, t -> true);

        assertThat(plan.changes()).containsExactly(delete, create);
    }

    @Test
    void withoutTransactionMetadataAChangeAtTheSameWalRecordIsNeverTakenForOneAlreadyApplied() {
        // Records written by an earlier version of the capture carry no order: the WAL record is all there is.
        Map<KafkaPartition, PartitionProgress> loaded = Map.of(P0, new PartitionProgress(3, new SourcePosition(700, 720, null), null));
        ChangeEvent sameRecord = change(3, Operation.CREATE, new SourcePosition(700, 720, null), "b");
        ChangeEvent earlierRecord = change(4, Operation.CREATE, new SourcePosition(700, 710, null), "a");

        LoadPlan plan = LoadPlan.of(ChangeBatch.of(List.of(sameRecord, earlierRecord)), loaded, t -> true);

        assertThat(plan.changes()).containsExactly(sameRecord);
        assertThat(plan.unexplained()).containsExactly(earlierRecord);
    }

    @Test
    void aChangeBelowTheLoadedOffsetButNewerThanAnyAppliedIsRefusedNotTakenForLoaded() {
        // The topic was deleted and created again: offset 3 now holds a change the warehouse never saw.
        Map<KafkaPartition, PartitionProgress> loaded = Map.of(P0, new PartitionProgress(50, new SourcePosition(700, 720, 4L), null));
        ChangeEvent unseen = change(3, Operation.CREATE, new SourcePosition(900, 910, 1L), "new");

        assertThatThrownBy(() -> LoadPlan.of(ChangeBatch.of(List.of(unseen)), loaded, t -> true))
                .isInstanceOf(LoadRefusedException.class)
                .hasMessageContaining("offset 3, below the next offset the warehouse stored (50)")
                .hasMessageContaining("fresh snapshot");
    }

    @Test
    void aStreamedChangeBelowTheLoadedOffsetOfAPartitionThatOnlyHadSnapshotReadsIsRefused() {
        Map<KafkaPartition, PartitionProgress> snapshotOnly = Map.of(P0, new PartitionProgress(100, null, null));

        assertThatThrownBy(() -> LoadPlan.of(ChangeBatch.of(List.of(change(3, 900))), snapshotOnly, t -> true))
                .isInstanceOf(LoadRefusedException.class);
    }

    @Test
    void whereTheNewestPositionIsUnknownARecordBelowTheLoadedOffsetIsTakenForLoaded() {
        // A Snowpipe Streaming channel opened again knows its committed offset, not the newest position.
        Map<KafkaPartition, PartitionProgress> reopened = Map.of(P0, PartitionProgress.newestUnknown(100));

        LoadPlan plan = LoadPlan.of(ChangeBatch.of(List.of(change(3, 900))), reopened, t -> true);

        assertThat(plan.alreadyLoaded()).isEqualTo(1);
    }
}
