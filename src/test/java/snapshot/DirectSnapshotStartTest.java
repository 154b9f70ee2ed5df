package snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import snapshot.DirectSnapshot.Start;
import warehouse.SnapshotLoad.SnapshotMark;

class DirectSnapshotStartTest {

    private static final long LSN = 1_000;

    @Test
    void aFirstStartTakesTheSnapshot() {
        assertThat(Start.of(Optional.empty(), OptionalLong.empty(), false)).isEqualTo(Start.TAKE);
    }

    @Test
    void aSnapshotCutOffIsTakenAgainOverItsSlot() {
        assertThat(Start.of(Optional.of(new SnapshotMark(LSN, false)), OptionalLong.of(LSN), false)).isEqualTo(Start.TAKE);
    }

    @Test
    void aFinishedSnapshotWhosePositionWasNotStoredStreamsFromItsLsn() {
        assertThat(Start.of(Optional.of(new SnapshotMark(LSN, true)), OptionalLong.of(LSN), false))
                .isEqualTo(Start.STREAM_FROM_MARK);
    }

    @Test
    void aFinishedSnapshotIsTakenAgainWhenItsSlotIsGoneOrMovedOn() {
        // Changes after the snapshot's LSN would be missing: its slot no longer holds them.
        assertThat(Start.of(Optional.of(new SnapshotMark(LSN, true)), OptionalLong.empty(), false)).isEqualTo(Start.TAKE);
        assertThat(Start.of(Optional.of(new SnapshotMark(LSN, true)), OptionalLong.of(LSN + 1), false)).isEqualTo(Start.TAKE);
    }

    @Test
    void topicsHoldingRecordsRefuseTheStart() {
        assertThat(Start.of(Optional.empty(), OptionalLong.empty(), true)).isEqualTo(Start.REFUSE);
        assertThat(Start.of(Optional.of(new SnapshotMark(LSN, true)), OptionalLong.of(LSN), true)).isEqualTo(Start.REFUSE);
    }
}
