package bench;

import java.util.List;

/**
 * One benchmark run: what ran where, how fast each stage carried the changes, and whether the
 * warehouse ended up equal to the source. Times are in seconds; stage times count from the first
 * source commit, except the source's own, which counts from the start of writing. The latency phases
 * at fixed rates, if any were run, come after the throughput run.
 */
public record BenchResult(String command, String startedAt, Machine machine, Workload workload,
                          InitialLoad initialLoad, List<Stage> stages, Memory memory, Verification verification,
                          List<LatencyResult> latency) {

    public BenchResult {
        stages = List.copyOf(stages);
        latency = latency == null ? List.of() : List.copyOf(latency); // null in results written before there were latency phases
    }

    public record Machine(int cores, String cpu, long memoryBytes, String os, String java, long maxHeapBytes) {
    }

    /**
     * @param kafkaRecords the change records the capture puts in Kafka for them: one per change and a
     *                     tombstone after each delete
     */
    public record Workload(long changes, long inserts, long updates, long deletes, long keyUpdates, long transactions,
                           int maxTransaction, int aircraft, long seed, long kafkaRecords) {
    }

    /** The table's preload, carried through the whole pipeline before the timed changes are written. */
    public record InitialLoad(int rows, double seconds, long rowsPerSecond) {
    }

    /**
     * @param seconds           until the stage held every change
     * @param changesPerSecond  the changes over those seconds
     * @param afterLastCommit   how long after the last source commit the stage held every change
     */
    public record Stage(String name, double seconds, long changesPerSecond, double afterLastCommit) {
    }

    /** The JVM's peaks while the changes were carried; the embedded PostgreSQL runs in processes of its own. */
    public record Memory(long peakHeapBytes, Long peakRssBytes) {
    }

    public record Verification(boolean matches, List<String> tables) {
        public Verification {
            tables = List.copyOf(tables);
        }

        public String verdict() {
            return matches ? "MATCH" : "DIFFER";
        }
    }
}
