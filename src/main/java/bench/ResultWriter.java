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
        return md.toString();
    }

    /** The CPU table of one stretch of the run: {@code when} says which, as in "while it carried the changes". */
    static String cpu(ThreadCpu.Usage cpu, String when) {
        StringBuilder md = new StringBuilder(format("CPU of the JVM %s (%,d changes, %.1f s): **%.1f µs per"
                + " change**, %.2f cores on average (the bench's own threads left out; the embedded PostgreSQL not included)%n%n",
                when, cpu.changes(), cpu.wallSeconds(), cpu.pipelineMicrosPerChange(), cpu.cores()));
        md.append("| part | CPU (s) | µs per change |\n|---|---:|---:|\n");
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
