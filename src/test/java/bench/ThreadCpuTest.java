package bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The CPU time of a direct snapshot's threads, which end before the bench reads the counters, is told apart from the
 * other threads that ended: moved from that part into a part of its own, the pipeline's total unchanged.
 */
class ThreadCpuTest {

    @Test
    void theCpuTimeOfThreadsThatEndedIsMovedIntoTheSnapshotsPart() throws Exception {
        ThreadCpu start = ThreadCpu.now();
        AtomicLong told = new AtomicLong();
        Thread reader = new Thread(() -> {
            long until = System.nanoTime() + 200_000_000L;
            double sink = 0;
            while (System.nanoTime() < until) {
                sink += Math.sqrt(sink + 1);
            }
            told.set(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() + (sink < 0 ? 1 : 0));
        }, "direct-snapshot-reader");
        reader.start();
        reader.join();
        ThreadCpu end = ThreadCpu.now();

        ThreadCpu.Usage plain = end.since(start, 1000);
        ThreadCpu.Usage apart = end.since(start, 1000, told.get());

        assertThat(plain.parts()).extracting(ThreadCpu.Part::part).doesNotContain(ThreadCpu.SNAPSHOT);
        assertThat(apart.parts()).extracting(ThreadCpu.Part::part).containsSubsequence(ThreadCpu.LOAD, ThreadCpu.SNAPSHOT,
                ThreadCpu.OTHER);
        double ended = seconds(plain, ThreadCpu.NATIVE);
        double snapshot = seconds(apart, ThreadCpu.SNAPSHOT);
        assertThat(snapshot).isPositive().isLessThanOrEqualTo(told.get() / 1e9 + 0.01).isLessThanOrEqualTo(ended + 0.01);
        assertThat(seconds(apart, ThreadCpu.NATIVE)).isCloseTo(ended - snapshot, Offset.offset(0.011));
        assertThat(apart.pipelineMicrosPerChange()).isEqualTo(plain.pipelineMicrosPerChange());
    }

    private static double seconds(ThreadCpu.Usage usage, String part) {
        return usage.parts().stream().filter(p -> p.part().equals(part)).findFirst().orElseThrow().seconds();
    }
}
