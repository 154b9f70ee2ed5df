package bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import load.TransactionBoundaries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * Latency at fixed rates: for each rate, once the warehouse holds every change written so far, a
 * {@link PacedWriter} writes at that rate for the phase's time, and each transaction's latency is the
 * time from its commit until the warehouse held its last Kafka record ({@link WarehouseVisibility}).
 * The capture publishes each partition's records in commit order, so a transaction is visible once the
 * warehouse's stored next offset of every partition reaches the records written through it there.
 */
public final class LatencyPhases {

    private static final Logger LOG = LoggerFactory.getLogger(LatencyPhases.class);
    /** The writer kept the rate if it wrote this share of it: a tick lost to a pause at the very end is no shortfall. */
    private static final double KEPT_RATE = 0.99;
    /** The pipeline kept pace if it made the changes visible at this share of the written rate. */
    private static final double KEPT_PACE = 0.95;
    private static final Duration REPORT_EVERY = Duration.ofSeconds(5);

    /**
     * One phase per rate, each {@code phase} long, one transaction per {@code tick}; no rates, no phases. With
     * {@code withoutBoundaries}, each rate's phase runs a second time with the loader not waiting for whole
     * transactions (load.TransactionBoundaries switched off), for what loading them whole costs.
     */
    public record Plan(List<Integer> changesPerSecond, Duration phase, Duration tick, boolean withoutBoundaries) {
        public Plan {
            changesPerSecond = List.copyOf(changesPerSecond);
        }

        public static Plan none() {
            return new Plan(List.of(), Duration.ZERO, Duration.ofMillis(20), false);
        }
    }

    private final Plan plan;
    private final Duration stallTimeout;

    public LatencyPhases(Plan plan, Duration stallTimeout) {
        this.plan = plan;
        this.stallTimeout = stallTimeout;
    }

    /**
     * Runs the phases on a pipeline whose warehouse holds, or is about to, everything {@code writer} wrote;
     * {@code loaded} reads the warehouse's stored next offsets of the written table's topic, per partition.
     */
    List<LatencyResult> run(DuckDbWarehouse warehouse, SourceWriter writer, Supplier<PartitionCounts> loaded,
                            TransactionBoundaries boundaries) throws Exception {
        List<LatencyResult> results = new ArrayList<>();
        if (plan.changesPerSecond().isEmpty()) {
            return results;
        }
        try (WarehouseVisibility visibility = WarehouseVisibility.watch(warehouse, loaded)) {
            for (int rate : plan.changesPerSecond()) {
                results.add(phase(rate, true, writer, visibility));
                if (plan.withoutBoundaries()) {
                    boundaries.setEnabled(false);
                    try {
                        results.add(phase(rate, false, writer, visibility));
                    } finally {
                        boundaries.setEnabled(true);
                    }
                }
            }
        }
        return results;
    }

    private LatencyResult phase(int rate, boolean wholeTransactions, SourceWriter writer, WarehouseVisibility visibility)
            throws Exception {
        String name = String.format("Latency at %,d changes/s%s", rate, wholeTransactions ? "" : ", transactions loaded in parts");
        long before = writer.kafkaRecords();
        PartitionCounts written = writer.kafkaRecordsByPartition();
        awaitVisible(name + ", before it starts", visibility, written);
        if (!visibility.visible().equals(written)) {
            throw new IllegalStateException(name + ": the warehouse holds " + visibility.visible() + " records of the"
                    + " topic's partitions, but " + written + " were written: the record count is wrong");
        }
        LOG.info("{}: the warehouse holds every change; writing for {} s, one transaction every {} ms", name,
                plan.phase().toMillis() / 1e3, plan.tick().toMillis());

        ThreadCpu cpuBefore = ThreadCpu.now();
        PacedWriter.Writes writes = new PacedWriter(writer, plan.tick()).write(rate, plan.phase(),
                (elapsed, changes, records) -> LOG.info("{}: {} s, {} changes written, {} of their {} Kafka records in"
                        + " the warehouse", name, Throughput.seconds(elapsed), changes, visibility.visible().total() - before,
                        records));
        if (writes.transactions() == 0) {
            throw new IllegalStateException(name + ": no transaction was written in " + plan.phase().toMillis() + " ms");
        }
        LOG.info("{}: {} changes in {} transactions in {} s ({} changes/s; {} of {} ticks late); waiting for the warehouse",
                name, writes.changes(), writes.transactions(), Throughput.seconds(writes.elapsedNanos()),
                writes.changesPerSecond(), writes.lateTicks(), writes.ticks());
        awaitVisible(name, visibility, writes.visibleWhen()[writes.transactions() - 1]);
        ThreadCpu.Usage cpu = ThreadCpu.now().since(cpuBefore, writes.changes());

        LatencyResult result = result(wholeTransactions, writes, visibility, cpu);
        LOG.info("{}: source commit to warehouse p50 {} ms, p95 {} ms, p99 {} ms, max {} ms; {}{}", name,
                result.latencyMs().p50(), result.latencyMs().p95(), result.latencyMs().p99(), result.latencyMs().max(),
                result.warehouseChangesPerSecond() == null ? "one batch made them all visible"
                        : "the warehouse carried " + result.warehouseChangesPerSecond() + " changes/s",
                result.writerKeptRate() ? "" : "; the writer did not keep the rate");
        return result;
    }

    private LatencyResult result(boolean wholeTransactions, PacedWriter.Writes writes, WarehouseVisibility visibility,
                                 ThreadCpu.Usage cpu) {
        int n = writes.transactions();
        long[] latencies = new long[n];
        for (int i = 0; i < n; i++) {
            latencies[i] = visibility.visibleAt(writes.visibleWhen()[i]) - writes.commitNanos()[i];
        }
        // From the first transaction's visibility to the last's: the latency the phase starts with does not count.
        long span = visibility.visibleAt(writes.visibleWhen()[n - 1]) - visibility.visibleAt(writes.visibleWhen()[0]);
        Long carried = span <= 0 ? null : Throughput.perSecond(writes.changes() - writes.changesThrough()[0], span);
        long written = writes.changesPerSecond();
        return new LatencyResult(wholeTransactions, writes.targetPerSecond(), Throughput.seconds(writes.elapsedNanos()),
                plan.tick().toMillis(), writes.ticks(), writes.lateTicks(), n, writes.changes(), writes.kafkaRecords(),
                written, written >= KEPT_RATE * writes.targetPerSecond(), carried,
                carried == null || carried >= KEPT_PACE * written, LatencyResult.Latency.ofNanos(Percentiles.of(latencies)), cpu);
    }

    /** Waits until the warehouse holds {@code records}, saying how far it is every few seconds. */
    private void awaitVisible(String phase, WarehouseVisibility visibility, PartitionCounts records)
            throws InterruptedException {
        PartitionCounts lastCount = visibility.visible();
        long lastMove = System.nanoTime();
        while (!visibility.await(records, REPORT_EVERY)) {
            PartitionCounts count = visibility.visible();
            long now = System.nanoTime();
            if (!count.equals(lastCount)) {
                lastCount = count;
                lastMove = now;
            } else if (now - lastMove > stallTimeout.toNanos()) {
                throw new IllegalStateException(phase + ": the warehouse did not move for " + stallTimeout.toSeconds()
                        + " s; it holds " + count + " records of the topic's partitions, expected " + records);
            }
            LOG.info("{}: waiting for the warehouse, {} records behind", phase, records.total() - count.total());
        }
    }
}
