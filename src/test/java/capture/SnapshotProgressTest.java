package capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SnapshotProgressTest {

    private long now = 1_000_000_000L;
    private final AtomicInteger totalLookups = new AtomicInteger();
    private final SnapshotProgress progress = new SnapshotProgress(() -> {
        totalLookups.incrementAndGet();
        return 10_000;
    }, Duration.ofSeconds(5), () -> now);

    @Test
    void countsSnapshotReadsAndAsksForTheTotalOnceWhenTheSnapshotStarts() {
        assertThat(progress.running()).isFalse();

        read("first", 1);
        read("true", 2_999);

        assertThat(progress.running()).isTrue();
        assertThat(progress.rows()).isEqualTo(3_000);
        assertThat(progress.expectedTotal()).hasValue(10_000);
        assertThat(totalLookups).hasValue(1);
        assertThat(progress.summary()).isEmpty();
    }

    @Test
    void reportsRateAndTimeLeftFromTheRowsSoFar() {
        read("first", 1);
        now += Duration.ofSeconds(2).toNanos();
        read("true", 3_999);

        // 4,000 rows in 2 s: 2,000 rows/s, 6,000 rows to go
        assertThat(progress.progress()).isEqualTo("Snapshot: 4,000 of about 10,000 rows (40%), 2,000 rows/s, about 3.0 s left");
    }

    @Test
    void aTotalThatProvesTooSmallGivesNoNegativeTimeLeft() {
        read("first", 1);
        now += Duration.ofSeconds(1).toNanos();
        read("true", 12_000);

        assertThat(progress.progress()).endsWith("(100%), 12,001 rows/s, finishing");
    }

    @Test
    void withoutATotalTheLineShowsRowsAndRateOnly() {
        SnapshotProgress unknownSize = new SnapshotProgress(() -> {
            throw new java.sql.SQLException("permission denied for table flight_state");
        }, Duration.ofSeconds(5), () -> now);
        unknownSize.record(Map.of("snapshot", "first"));
        now += Duration.ofSeconds(1).toNanos();
        unknownSize.record(Map.of("snapshot", "true"));

        assertThat(unknownSize.expectedTotal()).isEmpty();
        assertThat(unknownSize.progress()).isEqualTo("Snapshot: 2 rows, 2 rows/s");
    }

    @Test
    void theLastSnapshotRowEndsItWithASummary() {
        read("first", 1);
        read("true", 7_998);
        now += Duration.ofMillis(2_500).toNanos();
        read("last", 1);

        assertThat(progress.running()).isFalse();
        assertThat(progress.summary()).hasValueSatisfying(s -> {
            assertThat(s.rows()).isEqualTo(8_000);
            assertThat(s.duration()).isEqualTo(Duration.ofMillis(2_500));
            assertThat(s.rowsPerSecond()).isEqualTo(3_200);
        });
    }

    @Test
    void aStreamedChangeEndsASnapshotWhoseLastRowWasNotSeen() {
        read("first", 1);
        read("last_in_data_collection", 1);

        progress.record(Map.of("snapshot", "false"));

        assertThat(progress.summary()).map(SnapshotProgress.Summary::rows).hasValue(2L);
    }

    @Test
    void recordsWithoutSourceMetadataNeitherCountNorEndASnapshot() {
        read("first", 1);

        progress.record(null);
        progress.record(Map.of("ts_ms", 1714557605000L));
        read("true", 1);

        assertThat(progress.running()).isTrue();
        assertThat(progress.rows()).isEqualTo(2);
        assertThat(totalLookups).hasValue(1);
    }

    @Test
    void streamedChangesAndIncrementalSnapshotsAreNotCounted() {
        progress.record(Map.of("snapshot", "false"));
        progress.record(Map.of("snapshot", "incremental"));
        progress.record(Map.of("connector", "postgresql"));
        progress.record(null);

        assertThat(progress.rows()).isZero();
        assertThat(progress.summary()).isEmpty();
        assertThat(totalLookups).hasValue(0);
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertThat(SnapshotProgress.duration(Duration.ofMillis(4_250))).isEqualTo("4.3 s");
        assertThat(SnapshotProgress.duration(Duration.ofSeconds(42))).isEqualTo("42 s");
        assertThat(SnapshotProgress.duration(Duration.ofSeconds(65))).isEqualTo("1 min 05 s");
        assertThat(SnapshotProgress.duration(Duration.ofMinutes(125))).isEqualTo("2 h 05 min");
    }

    @Test
    void whileADirectSnapshotRunsItsFractionIsTheOneReported() {
        assertThat(progress.fractionDone()).as("no snapshot runs").isEqualTo(1);
        double[] direct = {Double.NaN};
        try (SnapshotProgress.Following following = progress.follow(() -> direct[0])) {
            assertThat(progress.fractionDone()).as("its rows not counted yet").isNaN();
            direct[0] = 0.4;
            assertThat(progress.fractionDone()).isEqualTo(0.4);
        }
        assertThat(progress.fractionDone()).as("it is over").isEqualTo(1);
    }

    private void read(String snapshot, int rows) {
        for (int i = 0; i < rows; i++) {
            progress.record(Map.of("snapshot", snapshot, "table", "flight_state"));
        }
    }
}
