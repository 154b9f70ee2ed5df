package bench;

import java.util.List;

/**
 * One benchmark run: what ran where, how fast each stage carried the changes, and whether the
 * warehouse ended up equal to the source. Times are in seconds; stage times count from the first
 * source commit, except the source's own, which counts from the start of writing. The latency phases
 * at fixed rates, if any were run, come after the throughput run. {@code commit} is the code that ran ({@code git
 * describe}, "-dirty" with uncommitted changes); {@code cpu} the JVM's CPU time during the throughput run, by part
 * (both null in results written before they were recorded); {@code snapshot} the initial snapshot's phase, null when
 * it was not run ({@code --snapshot-rows}); {@code idle} the JVM's CPU with nothing to carry, after the latency phases,
 * null when it was not measured ({@code --idle-seconds}).
 */
public record BenchResult(String command, String startedAt, Machine machine, Workload workload,
                          InitialLoad initialLoad, List<Stage> stages, Memory memory, Verification verification,
                          CatchUp catchUp,
                          List<LatencyResult> latency, String commit, ThreadCpu.Usage cpu, Snapshot snapshot,
                          ThreadCpu.Idle idle) {

    public BenchResult {
        stages = List.copyOf(stages);
        latency = latency == null ? List.of() : List.copyOf(latency); // null in results written before there were latency phases
    }

    public record Machine(int cores, String cpu, long memoryBytes, String os, String java, long maxHeapBytes) {
    }

    /**
     * @param kafkaRecords the change records the capture puts in Kafka for them: one per change and a
     *                     tombstone after each delete
     * @param warmUp       changes carried before these, not measured
     * @param partitions   of each topic ({@code flightcdc.kafka.partitions})
     * @param loaders      the loader's consumers ({@code flightcdc.load.consumers})
     */
    public record Workload(long changes, long inserts, long updates, long deletes, long keyUpdates, long transactions,
                           int maxTransaction, int aircraft, long seed, long kafkaRecords, long warmUp, int partitions,
                           int loaders) {
    }

    /** The table's preload, carried through the whole pipeline before the timed changes are written. */
    public record InitialLoad(int rows, double seconds, long rowsPerSecond) {
    }

    /**
     * The initial snapshot of a table of {@code rows} rows ({@code tableBytes} in PostgreSQL, indexes included), by a
     * pipeline started against it (see SnapshotPhase). Rates count from the first row in Kafka, start-up apart; a direct
     * snapshot's, from when it made its slot, and nothing reaches Kafka (its Kafka fields are 0).
     *
     * @param reader                  who read the rows: flightcdc.capture.snapshot, debezium or direct
     * @param copyOutSeconds          how long PostgreSQL took to write the table out with COPY: the ceiling
     * @param startSeconds            from the pipeline's start until its routes ran
     * @param firstRowSeconds         from the pipeline's start until the first row was in Kafka
     * @param startToWarehouseSeconds from the pipeline's start until the warehouse held every row
     * @param loadedOnce              whether the warehouse's current state and history hold each row once
     * @param cpu                     the JVM's CPU from the pipeline's start until the warehouse held every row, per row
     */
    public record Snapshot(String reader, long rows, long tableBytes, double copyOutSeconds, long copyOutRowsPerSecond,
                           double startSeconds, double firstRowSeconds, long kafkaRowsPerSecond,
                           long warehouseRowsPerSecond, double startToWarehouseSeconds, boolean loadedOnce,
                           ThreadCpu.Usage cpu) {
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

    /**
     * The capture stage reading one stretch of WAL written while nothing read it, each reader from a
     * replication slot of its own made before the writes, one reader after the other: the physical
     * ceiling (pg_recvlogical), the peer (Kafka Connect running the Debezium PostgreSQL connector) and
     * our capture. Rates count from a reader's first record to its last, the same for all three.
     *
     * @param readers       those that ran, ceiling first, ours last
     * @param skipped       why a reader did not run (not asked for, not installed)
     * @param oursToPeer    our changes/s over the peer's; null when the peer did not run
     * @param oursToTunedPeer our changes/s over the peer's tuned as ours (its producer, its collector); null when it did not run
     * @param oursToCeiling our changes/s over the ceiling's; null when the ceiling did not run
     * @param captureCpu    the JVM's CPU while our capture caught up, by part (null in results written before)
     * @param loadCpu       the JVM's CPU while our load then caught up, by part (null in results written before)
     */
    public record CatchUp(long changes, long kafkaRecords, long transactions, double writingSeconds,
                          List<Reader> readers, List<String> skipped, Double oursToPeer, Double oursToTunedPeer,
                          Double oursToCeiling,
                          Load load, ThreadCpu.Usage captureCpu, ThreadCpu.Usage loadCpu) {
        public CatchUp {
            readers = List.copyOf(readers);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * @param startToFirst     seconds from starting the reader to its first record: start-up and connecting
     * @param firstToLast      seconds from its first record to its last
     * @param startToLast      seconds from starting it to its last record
     * @param changesPerSecond the changes over {@code firstToLast}
     * @param recordsPerSecond the Kafka records over {@code firstToLast}; null for a reader that does not write Kafka
     * @param extraRecords     records beyond the expected ones, e.g. replayed after a restart; null where not counted
     * @param bytesPerRecord   the records' bytes in the broker's log, batch headers included; null where not counted
     * @param loadAverage      the machine's 1-minute load average when the reader was done: the cores are shared,
     *                         and a reader that ran while other work did is slower for it
     */
    public record Reader(String name, double startToFirst, double firstToLast, double startToLast,
                         long changesPerSecond, Long recordsPerSecond, Long extraRecords, Long bytesPerRecord,
                         double loadAverage) {
    }

    /**
     * Our load, started once the capture had put every record in Kafka, loading them into the warehouse.
     *
     * @param seconds                   from the load route's start until the warehouse held every record
     * @param changesPerSecond          the changes over {@code seconds}
     * @param fromCaptureStart          from the capture route's start until the warehouse held every record
     * @param fromCaptureStartPerSecond the changes over {@code fromCaptureStart}
     */
    public record Load(double seconds, long changesPerSecond, double fromCaptureStart, long fromCaptureStartPerSecond) {
    }
}
