package bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CatchUpClockTest {

    private final CatchUpClock clock = new CatchUpClock(Duration.ofMillis(1), Duration.ofMillis(300), Duration.ofSeconds(5));

    @Test
    void clocksTheFirstRecordAboveTheBaselineAndTheLastOne() throws Exception {
        AtomicLong reads = new AtomicLong();
        // 100 records there before; nothing new for 5 reads, then 10 more per read.
        StageClock.Count count = () -> {
            long n = reads.incrementAndGet();
            return n <= 5 ? 100 : 100 + 10 * (n - 5);
        };
        long started = System.nanoTime();

        CatchUpClock.Timeline t = clock.await("reader", started, count, 100, 50, () -> { });

        assertThat(reads.get()).as("done at the read that saw 150").isEqualTo(10);
        assertThat(t.startedNanos()).isEqualTo(started);
        assertThat(t.firstNanos()).isGreaterThan(started);
        assertThat(t.lastNanos()).isGreaterThan(t.firstNanos());
        assertThat(t.startToLastNanos()).isEqualTo(t.startToFirstNanos() + t.firstToLastNanos());
    }

    @Test
    void aReaderThatStopsMovingIsAStallNotAWaitForever() {
        assertThatThrownBy(() -> clock.await("reader", System.nanoTime(), () -> 7, 0, 10, () -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("reader: nothing moved")
                .hasMessageContaining("7 of 10 records");
    }

    @Test
    void aReaderThatIsGoneFailsAtOnce() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> clock.await("reader", started, () -> 0, 0, 10, () -> {
            throw new IllegalStateException("reader exited with code 2");
        })).hasMessage("reader exited with code 2");
        assertThat(System.nanoTime() - started).isLessThan(Duration.ofMillis(300).toNanos());
    }
}
