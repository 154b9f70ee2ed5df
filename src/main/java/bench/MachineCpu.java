package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The whole machine's CPU counters from Linux's {@code /proc/stat}: what every process used, this JVM and the embedded
 * PostgreSQL's processes (the writes, the WAL, the walsender decoding for the capture) alike, and what the hypervisor
 * gave to other machines while this one had work ({@code steal}). Beside the JVM's own figures they tell whether a rate
 * was bounded by the cores themselves: a stretch in which the machine was busy on all of them could go no faster
 * without less CPU per change.
 *
 * @param busyTicks  user, nice, system, irq and softirq, all cores together, in Linux's ticks
 * @param stealTicks the time the hypervisor ran something else while this machine was ready to run
 * @param cores      the cores Linux counts
 */
public record MachineCpu(long busyTicks, long stealTicks, int cores) {

    private static final Path STAT = Path.of("/proc/stat");
    private static final double SECONDS_PER_TICK = 0.01; // Linux's USER_HZ is 100 on every platform Java runs on

    /**
     * What the machine spent between two readings.
     *
     * @param busyCores        cores busy on average, every process together
     * @param stealCores       cores' worth of time taken by the hypervisor while this machine was ready to run
     * @param outsideJvmCores  of the busy cores, those not this JVM's (never below 0: the counters are read apart)
     * @param outsideMicrosPerChange those over the changes carried, in µs
     */
    public record Spent(int cores, double busyCores, double stealCores, double outsideJvmCores, double outsideMicrosPerChange) {
    }

    /** The counters now, or none where there is no {@code /proc/stat} to read (not Linux). */
    static Optional<MachineCpu> now() {
        try {
            return parse(Files.readAllLines(STAT));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The counters in {@code /proc/stat}'s lines: its first, all cores together, and one line a core after it. */
    static Optional<MachineCpu> parse(List<String> lines) {
        if (lines.isEmpty() || !lines.get(0).startsWith("cpu ")) {
            return Optional.empty();
        }
        String[] f = lines.get(0).trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is counted in user already.
        long busy = tick(f, 1) + tick(f, 2) + tick(f, 3) + tick(f, 6) + tick(f, 7);
        int cores = (int) lines.stream().filter(line -> line.matches("cpu\\d+ .*")).count();
        return Optional.of(new MachineCpu(busy, tick(f, 8), cores));
    }

    /**
     * What was spent from {@code start} until these counters were read.
     *
     * @param jvmNanos this JVM's CPU time over the same stretch, to tell the rest of the machine from it
     */
    Spent since(MachineCpu start, double wallSeconds, long jvmNanos, long changes) {
        double busy = (busyTicks - start.busyTicks) * SECONDS_PER_TICK;
        double outside = Math.max(0, busy - jvmNanos / 1e9);
        return new Spent(cores, round(busy / wallSeconds), round((stealTicks - start.stealTicks) * SECONDS_PER_TICK / wallSeconds),
                round(outside / wallSeconds), round(outside * 1e6 / changes));
    }

    private static long tick(String[] fields, int index) {
        return index < fields.length ? Long.parseLong(fields[index]) : 0;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
