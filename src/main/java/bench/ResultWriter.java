package bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes a result for machines (results.json) and for people (results.md, a summary with tables). */
public final class ResultWriter {

    public static final String JSON = "results.json";
    public static final String MARKDOWN = "results.md";

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes both files into {@code dir}, created if missing; returns the markdown. */
    public String write(BenchResult result, Path dir) throws IOException {
        Files.createDirectories(dir);
        json.writeValue(dir.resolve(JSON).toFile(), result);
        String markdown = markdown(result);
        Files.writeString(dir.resolve(MARKDOWN), markdown);
        return markdown;
    }

    public BenchResult read(Path dir) throws IOException {
        return json.readValue(dir.resolve(JSON).toFile(), BenchResult.class);
    }

    static String markdown(BenchResult r) {
        BenchResult.Workload w = r.workload();
        BenchResult.Machine m = r.machine();
        StringBuilder md = new StringBuilder();
        md.append("# flight-cdc benchmark\n\n");
        md.append("`").append(r.command()).append("`, started ").append(r.startedAt())
                .append(r.commit() == null ? "" : ", code " + r.commit()).append("\n\n");
        md.append(format("Machine: %d cores (%s), %s memory, %s, Java %s, max heap %s%n%n", m.cores(), m.cpu(),
                bytes(m.memoryBytes()), m.os(), m.java(), bytes(m.maxHeapBytes())));
        md.append(format("Workload: %,d changes (%,d inserts, %,d updates, %,d deletes, %,d key updates) in %,d"
                        + " transactions of 1 to %,d changes, on a table of %,d aircraft, seed %d; %,d Kafka records"
                        + " (a tombstone after each delete) in %d partition%s, loaded by %d consumer%s%s%n%n", w.changes(),
                w.inserts(), w.updates(), w.deletes(), w.keyUpdates(), w.transactions(), w.maxTransaction(), w.aircraft(),
                w.seed(), w.kafkaRecords(), w.partitions(), w.partitions() == 1 ? "" : "s", w.loaders(),
                w.loaders() == 1 ? "" : "s",
                w.warmUp() == 0 ? "; measured from a cold start (no warm-up)"
                        : format("; measured after a warm-up of %,d changes of the same mix, carried and not measured", w.warmUp())));
        md.append(format("Initial load (not timed with the changes): %,d rows through the pipeline in %.1f s"
                + " (%,d rows/s)%n%n", r.initialLoad().rows(), r.initialLoad().seconds(), r.initialLoad().rowsPerSecond()));
        md.append("| stage | every change there after (s) | changes/s | after the last source commit (s) |\n");
        md.append("|---|---:|---:|---:|\n");
        for (BenchResult.Stage s : r.stages()) {
            md.append(format("| %s | %.2f | %,d | %.2f |%n", s.name(), s.seconds(), s.changesPerSecond(),
                    s.afterLastCommit()));
        }
        md.append("\nThe source's time counts from the start of writing; the others from the first commit.\n\n");
        md.append(format("Memory: peak heap %s, peak RSS of the JVM %s (the embedded PostgreSQL is not included)%n%n",
                bytes(r.memory().peakHeapBytes()),
                r.memory().peakRssBytes() == null ? "unknown" : bytes(r.memory().peakRssBytes())));
        if (r.cpu() != null) {
            md.append(cpu(r.cpu(), "while it carried the changes"));
        }
        md.append("Warehouse against source: **").append(r.verification().verdict()).append("**\n\n");
        r.verification().tables().forEach(t -> md.append("- ").append(t).append('\n'));
        md.append('\n').append(CatchUpTable.markdown(r.catchUp()));
        md.append(LatencyTable.markdown(r.latency()));
        if (r.idle() != null) {
            md.append(idle(r.idle()));
        }
        if (r.snapshot() != null) {
            md.append(snapshot(r.snapshot()));
        }
        return md.toString();
    }

    static String snapshot(BenchResult.Snapshot s) {
        boolean direct = s.reader().equals("direct");
        StringBuilder md = new StringBuilder(format("## Initial snapshot%n%nA `flight_state` of %,d rows (%s in"
                + " PostgreSQL) on a PostgreSQL of the bench's own, read by a pipeline started against it (%s); the rates"
                + " count from %s:%n%n", s.rows(), bytes(s.tableBytes()), direct
                ? "a direct snapshot, flightcdc.capture.snapshot=direct: straight into the warehouse, op 'r'"
                : "Debezium's snapshot, op 'r'", direct ? "when it made its replication slot" : "the first row in Kafka"));
        md.append("| | seconds | rows/s |\n|---|---:|---:|\n");
        md.append(format("| PostgreSQL writing the table out with COPY (the ceiling) | %.2f | %,d |%n", s.copyOutSeconds(),
                s.copyOutRowsPerSecond()));
        md.append(format("| the pipeline started (its routes run) | %.2f | |%n", s.startSeconds()));
        if (!direct) {
            md.append(format("| the first row in Kafka, from the start | %.2f | |%n", s.firstRowSeconds()));
            md.append(format("| every row in Kafka | | %,d |%n", s.kafkaRowsPerSecond()));
        }
        md.append(format("| every row in the warehouse, from the start | %.2f | %,d |%n%n", s.startToWarehouseSeconds(),
                s.warehouseRowsPerSecond()));
        md.append("Each row in the warehouse once, in its current state and its history: **")
                .append(s.loadedOnce() ? "yes" : "NO").append("**\n\n");
        md.append(cpu(s.cpu(), "from the pipeline's start until the warehouse held every row", "row"));
        return md.toString();
    }

    static String idle(ThreadCpu.Idle idle) {
        StringBuilder md = new StringBuilder(format("## Idle%n%nCPU of the JVM with nothing to carry but the heartbeats,"
                + " after the latency phases (%.1f s measured): **%.2f%% of one core** (the bench's own threads left out;"
                + " the embedded PostgreSQL not included)%n%n", idle.wallSeconds(), idle.percentOfCore()));
        md.append("| part | % of one core |\n|---|---:|\n");
        for (ThreadCpu.IdlePart p : idle.parts()) {
            md.append(format("| %s | %.2f |%n", p.part(), p.percentOfCore()));
        }
        return md.append('\n').toString();
    }

    /** The CPU table of one stretch of the run: {@code when} says which, as in "while it carried the changes". */
    static String cpu(ThreadCpu.Usage cpu, String when) {
        return cpu(cpu, when, "change");
    }

    /** ... counted per {@code unit} ("change", or "row" for a snapshot). */
    static String cpu(ThreadCpu.Usage cpu, String when, String unit) {
        StringBuilder md = new StringBuilder(format("CPU of the JVM %s (%,d %ss, %.1f s): **%.1f µs per %s**, %.2f cores on"
                + " average (the bench's own threads left out; the embedded PostgreSQL not included)%n%n",
                when, cpu.changes(), unit, cpu.wallSeconds(), cpu.pipelineMicrosPerChange(), unit, cpu.cores()));
        MachineCpu.Spent machine = cpu.machine();
        if (machine != null) {
            md.append(format("The whole machine over the same stretch: **%.2f of its %d cores busy**, of which %.2f outside this"
                    + " JVM (%.1f µs per %s: the embedded PostgreSQL's processes, and anything else running); the hypervisor"
                    + " took %.2f cores' worth from it while it was ready to run%n%n", machine.busyCores(), machine.cores(),
                    machine.outsideJvmCores(), machine.outsideMicrosPerChange(), unit, machine.stealCores()));
        }
        md.append("| part | CPU (s) | µs per ").append(unit).append(" |\n|---|---:|---:|\n");
        for (ThreadCpu.Part p : cpu.parts()) {
            md.append(format("| %s | %.2f | %.1f |%n", p.part(), p.seconds(), p.microsPerChange()));
        }
        return md.append('\n').toString();
    }

    private static String bytes(long bytes) {
        return format("%.0f MiB", bytes / (1024.0 * 1024.0));
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
