package warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import warehouse.ChangeEvent.Operation;

class LoadPlanTest {

    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final KafkaPartition P0 = new KafkaPartition(TOPIC, 0);
    private static final TableId TABLE = new TableId("public", "flight_state");

    private static ChangeEvent change(long offset, long lsn) {
        return new ChangeEvent(TOPIC, 0, offset, TABLE, Operation.CREATE, SourcePosition.of(lsn - 1, lsn, Operation.CREATE),
                1L, 0L, JsonNodeFactory.instance.objectNode().put("icao24", "a" + offset), "{}");
    }

    @Test
    void anUnreadableRecordAfterChangesInTheSameBatchDoesNotHideThem() {
        ChangeBatch batch = new ChangeBatch(List.of(change(10, 100), change(11, 101)),
                List.of(new DeadLetter(TOPIC, 0, 12, null, "not a change event", "garbage")), Map.of());

        LoadPlan plan = LoadPlan.of(batch, Map.of(P0, new PartitionProgress(10, null)), t -> true);

        assertThat(plan.changes()).extracting(ChangeEvent::offset).containsExactly(10L, 11L);
        assertThat(plan.deadLetters()).extracting(DeadLetter::offset).containsExactly(12L);
        assertThat(plan.alreadyLoaded()).isZero();
        assertThat(plan.progress().get(P0)).isEqualTo(new PartitionProgress(13, new SourcePosition(100, 101, 1)));
    }

    @Test
    void recordsBelowTheLoadedOffsetAreSkippedAndReplaysOfNewerPositionsToo() {
        ChangeBatch batch = new ChangeBatch(List.of(change(9, 95), change(10, 96), change(11, 120)),
                List.of(new DeadLetter(TOPIC, 0, 8, null, "not a change event", "garbage")), Map.of());

        LoadPlan plan = LoadPlan.of(batch, Map.of(P0, new PartitionProgress(10, new SourcePosition(99, 100, 1))), t -> true);

        assertThat(plan.alreadyLoaded()).isEqualTo(2);
        assertThat(plan.replayed()).isEqualTo(1);
        assertThat(plan.changes()).extracting(ChangeEvent::offset).containsExactly(11L);
        assertThat(plan.deadLetters()).isEmpty();
    }
}
