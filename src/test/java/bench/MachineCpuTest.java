package bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The machine's CPU beside the JVM's: read from {@code /proc/stat}'s fields as Linux documents them (proc(5)), and
 * reported under each of the bench's CPU tables.
 */
class MachineCpuTest {

    @Test
    void busyTimeIsUserNiceSystemIrqAndSoftirqAndStealIsApart() {
        MachineCpu start = MachineCpu.parse(List.of(
                "cpu  1000 10 300 5000 40 5 20 7 100 0",
                "cpu0 500 5 150 2500 20 2 10 3 50 0",
                "cpu1 500 5 150 2500 20 3 10 4 50 0",
                "intr 12345")).orElseThrow();
        // 10 s later: 1,500 ticks busy (user 1,200, nice 0, system 250, irq 10, softirq 40), 30 stolen, idle and iowait not counted.
        MachineCpu end = MachineCpu.parse(List.of(
                "cpu  2200 10 550 5400 90 15 60 37 100 0",
                "cpu0 1100 5 275 2700 45 7 30 18 50 0",
                "cpu1 1100 5 275 2700 45 8 30 19 50 0")).orElseThrow();

        // The JVM used 12 s of it over 200,000 changes: 3 s were the rest of the machine's.
        MachineCpu.Spent spent = end.since(start, 10.0, 12_000_000_000L, 200_000);

        assertThat(start.cores()).isEqualTo(2);
        assertThat(spent.busyCores()).isEqualTo(1.5);
        assertThat(spent.stealCores()).isEqualTo(0.03);
        assertThat(spent.outsideJvmCores()).isEqualTo(0.3);
        assertThat(spent.outsideMicrosPerChange()).isEqualTo(15.0);
    }

    @Test
    void theRestOfTheMachineIsNeverBelowNothing() {
        MachineCpu start = MachineCpu.parse(List.of("cpu  100 0 0 100 0 0 0 0", "cpu0 100 0 0 100 0 0 0 0")).orElseThrow();
        MachineCpu end = MachineCpu.parse(List.of("cpu  200 0 0 100 0 0 0 0", "cpu0 200 0 0 100 0 0 0 0")).orElseThrow();

        // The JVM's own counter, read a moment apart from the machine's, may run a tick ahead of it.
        assertThat(end.since(start, 1.0, 1_005_000_000L, 1000).outsideJvmCores()).isZero();
    }

    @Test
    void noCountersWhereThereIsNoProcStat() {
        assertThat(MachineCpu.parse(List.of())).isEmpty();
        assertThat(MachineCpu.parse(List.of("intr 1 2 3"))).isEmpty();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void theBenchsCpuTableSaysHowBusyTheWholeMachineWas() throws Exception {
        ThreadCpu start = ThreadCpu.now();
        Thread burner = new Thread(() -> {
            long until = System.nanoTime() + 300_000_000L;
            double sink = 0;
            while (System.nanoTime() < until) {
                sink += Math.sqrt(sink + 1);
            }
            if (sink < 0) {
                throw new AssertionError();
            }
        }, "burner");
        burner.start();
        burner.join();
        ThreadCpu.Usage usage = ThreadCpu.now().since(start, 1000);

        MachineCpu.Spent machine = usage.machine();
        assertThat(machine).isNotNull();
        assertThat(machine.cores()).isPositive();
        // The machine was busy at least with what this JVM did (its counter in nanoseconds, the machine's in ticks).
        double jvmCores = usage.parts().stream().mapToDouble(ThreadCpu.Part::seconds).sum() / usage.wallSeconds();
        assertThat(machine.busyCores()).isGreaterThanOrEqualTo(jvmCores - 0.1);
        assertThat(ResultWriter.cpu(usage, "while it burnt")).contains(String.format(Locale.ROOT,
                "The whole machine over the same stretch: **%.2f of its %d cores busy**", machine.busyCores(), machine.cores()));
    }
}
