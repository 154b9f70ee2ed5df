package bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The JVM's CPU time between two moments, by part of the pipeline: each Java thread's own CPU time
 * (ThreadMXBean), told apart by the thread's name and what it runs; the JVM's garbage collector and JIT
 * compilers from Linux's per-thread counters; and what is left of the process's CPU time, which is mostly
 * DuckDB's own native threads. The embedded Kafka broker runs in this JVM and is a part of its own; the
 * embedded PostgreSQL runs in processes of its own and is not counted. The bench's own threads (the source
 * writer, the clocks) are counted apart and left out of the pipeline's total.
 */
public final class ThreadCpu {

    public static final String DECODE = "capture: Debezium reading and decoding the WAL";
    public static final String CAPTURE = "capture: the route on Debezium's engine thread (camel-debezium, envelope, send)";
    public static final String PRODUCE = "capture: the Kafka producer's network thread";
    public static final String BROKER = "Kafka broker (embedded)";
    public static final String LOAD = "load: Kafka consumer, decoding, DuckDB calls";
    public static final String OTHER = "other Java threads: HTTP, monitors, timers";
    public static final String GC = "garbage collector";
    public static final String JIT = "JIT compilers";
    public static final String NATIVE = "native threads (DuckDB's workers) and threads that ended";
    public static final String BENCH = "the bench's own writer and clocks (not the pipeline's)";
    public static final String SNAPSHOT = "direct snapshot: its readers and writers (threads that ended)";

    /**
     * @param part           one of this class's part names
     * @param seconds        its CPU seconds over the measured stretch
     * @param microsPerChange those over the changes carried, in µs
     */
    public record Part(String part, double seconds, double microsPerChange) {
    }

    /**
     * @param pipelineMicrosPerChange every part but the bench's, in µs of CPU per change
     * @param wallSeconds             the stretch measured
     * @param cores                   CPU seconds per wall second, the pipeline's parts together
     * @param machine                 the whole machine over the same stretch, this JVM and the rest; null off Linux
     */
    public record Usage(long changes, double wallSeconds, double pipelineMicrosPerChange, double cores, List<Part> parts,
                        MachineCpu.Spent machine) {
        public Usage {
            parts = List.copyOf(parts);
        }
    }

    /** The client id of the bench's own Kafka clients: their threads are named after it. */
    public static final String BENCH_CLIENT_ID = "bench";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long NANOS_PER_TICK = 10_000_000L; // Linux's USER_HZ is 100 on every platform Java runs on

    private final long wallNanos;
    private final long processNanos;
    private final Map<Long, Long> javaThreadNanos;
    private final Map<String, Long> jvmThreadNanos;
    private final Optional<MachineCpu> machine;

    private ThreadCpu(long wallNanos, long processNanos, Map<Long, Long> javaThreadNanos, Map<String, Long> jvmThreadNanos,
                      Optional<MachineCpu> machine) {
        this.wallNanos = wallNanos;
        this.processNanos = processNanos;
        this.javaThreadNanos = javaThreadNanos;
        this.jvmThreadNanos = jvmThreadNanos;
        this.machine = machine;
    }

    /** The counters now. */
    public static ThreadCpu now() {
        Map<Long, Long> java = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long nanos = THREADS.getThreadCpuTime(id);
            if (nanos >= 0) {
                java.put(id, nanos);
            }
        }
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new ThreadCpu(System.nanoTime(), os.getProcessCpuTime(), java, jvmThreads(), MachineCpu.now());
    }

    /**
     * The pipeline's CPU while it carried nothing but its heartbeats, as a share of one core.
     *
     * @param percentOfCore every part but the bench's
     */
    public record Idle(double wallSeconds, double percentOfCore, List<IdlePart> parts) {
        public Idle {
            parts = List.copyOf(parts);
        }
    }

    public record IdlePart(String part, double percentOfCore) {
    }

    /** What was spent from {@code start} until now, by part, over {@code changes} changes. */
    public Usage since(ThreadCpu start, long changes) {
        return usage(start, changes, nanosByPart(start));
    }

    /**
     * As {@link #since(ThreadCpu, long)}, with the CPU time of threads of a direct snapshot that ended since, which they
     * told before they did, as a part of its own ({@link #SNAPSHOT}, after the load) rather than among the threads that
     * ended.
     */
    public Usage since(ThreadCpu start, long changes, long snapshotThreadNanos) {
        Map<String, Long> measured = nanosByPart(start);
        // The process's CPU time and the threads' own are read at slightly different moments: never more than was left.
        long ended = Math.min(measured.get(NATIVE), snapshotThreadNanos);
        Map<String, Long> nanos = new LinkedHashMap<>();
        measured.forEach((part, spent) -> {
            nanos.put(part, part.equals(NATIVE) ? spent - ended : spent);
            if (part.equals(LOAD)) {
                nanos.put(SNAPSHOT, ended);
            }
        });
        return usage(start, changes, nanos);
    }

    private Usage usage(ThreadCpu start, long changes, Map<String, Long> nanos) {
        long pipeline = nanos.entrySet().stream().filter(e -> !e.getKey().equals(BENCH)).mapToLong(Map.Entry::getValue).sum();
        double wall = (wallNanos - start.wallNanos) / 1e9;
        List<Part> parts = nanos.entrySet().stream()
                .map(e -> new Part(e.getKey(), round(e.getValue() / 1e9), round(e.getValue() / 1e3 / changes))).toList();
        MachineCpu.Spent spent = machine.isPresent() && start.machine.isPresent()
                ? machine.get().since(start.machine.get(), wall, processNanos - start.processNanos, changes) : null;
        return new Usage(changes, round(wall), round(pipeline / 1e3 / changes), round(pipeline / 1e9 / wall), parts, spent);
    }

    /** What was spent from {@code start} until now, by part, while the pipeline had nothing to carry. */
    public Idle idleSince(ThreadCpu start) {
        Map<String, Long> nanos = nanosByPart(start);
        double wallNanosSpent = wallNanos - start.wallNanos;
        long pipeline = nanos.entrySet().stream().filter(e -> !e.getKey().equals(BENCH)).mapToLong(Map.Entry::getValue).sum();
        List<IdlePart> parts = nanos.entrySet().stream()
                .map(e -> new IdlePart(e.getKey(), round(100 * e.getValue() / wallNanosSpent))).toList();
        return new Idle(round(wallNanosSpent / 1e9), round(100 * pipeline / wallNanosSpent), parts);
    }

    private Map<String, Long> nanosByPart(ThreadCpu start) {
        Map<String, Long> nanos = new LinkedHashMap<>();
        Stream.of(DECODE, CAPTURE, PRODUCE, BROKER, LOAD, OTHER, GC, JIT, NATIVE, BENCH).forEach(p -> nanos.put(p, 0L));
        long javaTotal = 0;
        for (ThreadInfo info : THREADS.getThreadInfo(javaThreadNanos.keySet().stream().mapToLong(Long::longValue).toArray(), 64)) {
            if (info == null) {
                continue; // ended since
            }
            long spent = javaThreadNanos.get(info.getThreadId()) - start.javaThreadNanos.getOrDefault(info.getThreadId(), 0L);
            nanos.merge(partOf(info.getThreadName(), info.getStackTrace()), spent, Long::sum);
            javaTotal += spent;
        }
        long gc = jvmThreadNanos.getOrDefault(GC, 0L) - start.jvmThreadNanos.getOrDefault(GC, 0L);
        long jit = jvmThreadNanos.getOrDefault(JIT, 0L) - start.jvmThreadNanos.getOrDefault(JIT, 0L);
        nanos.put(GC, gc);
        nanos.put(JIT, jit);
        nanos.put(NATIVE, Math.max(0, processNanos - start.processNanos - javaTotal - gc - jit));
        return nanos;
    }

    /** Which part a Java thread works for: by its name where that says, else by the code it runs. */
    static String partOf(String name, StackTraceElement[] stack) {
        if (name.startsWith("bench-") || name.endsWith("| " + BENCH_CLIENT_ID) || runs(stack, "bench.")) {
            return BENCH;
        }
        if (name.contains("KafkaConsumer[") || name.startsWith("kafka-coordinator-heartbeat-thread")) {
            return LOAD;
        }
        if (name.contains("change-event-source-coordinator")) {
            return DECODE;
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return PRODUCE;
        }
        if (name.contains("debezium") || name.contains("DebeziumConsumer") || runs(stack, "io.debezium.")) {
            return CAPTURE;
        }
        if (name.startsWith("kafka-admin-client-thread")) {
            return OTHER;
        }
        if (runs(stack, "kafka.") || runs(stack, "org.apache.kafka.raft.") || runs(stack, "org.apache.kafka.controller.")
                || runs(stack, "org.apache.kafka.server.") || runs(stack, "org.apache.kafka.storage.")
                || runs(stack, "org.apache.kafka.coordinator.") || runs(stack, "org.apache.kafka.queue.")
                || name.startsWith("data-plane-kafka") || name.startsWith("kafka-") || name.startsWith("quorum-controller")
                || name.startsWith("broker-") || name.startsWith("controller-") || name.startsWith("ExpirationReaper")) {
            return BROKER;
        }
        return OTHER;
    }

    private static boolean runs(StackTraceElement[] stack, String packagePrefix) {
        return Arrays.stream(stack).anyMatch(frame -> frame.getClassName().startsWith(packagePrefix));
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** The JVM's own threads, which ThreadMXBean does not list: from /proc/self/task, empty off Linux. */
    private static Map<String, Long> jvmThreads() {
        Map<String, Long> nanos = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return nanos;
        }
        try (Stream<Path> list = Files.list(tasks)) {
            list.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                    String part = comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? GC
                            : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? JIT : null;
                    if (part != null) {
                        nanos.merge(part, ticks * NANOS_PER_TICK, Long::sum);
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended while listed
                }
            });
        } catch (IOException e) {
            return nanos;
        }
        return nanos;
    }
}
