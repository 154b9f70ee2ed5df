package bench;

/**
 * One latency phase: changes written at a fixed rate for a fixed time, and how long each transaction
 * took from its source commit until the warehouse held it.
 *
 * @param wholeTransactions         whether the loader loaded each source transaction whole (the default), or as
 *                                  Kafka delivered it
 * @param targetChangesPerSecond    the rate asked for
 * @param seconds                   the phase's length: as planned, or longer if the last commit came later
 * @param tickMillis                one transaction per tick
 * @param ticks                     the ticks of the phase's timetable
 * @param lateTicks                 ticks the writer got to only after their time was over; ticks it never got to, before
 *                                  the phase's time was up, are not written: then there are fewer transactions than ticks
 * @param writtenChangesPerSecond   the rate the source took
 * @param writerKeptRate            whether that was the rate asked for (at least 99% of it)
 * @param warehouseChangesPerSecond the rate at which the warehouse made the changes visible, from the first
 *                                  transaction's visibility to the last's; null when one batch made them all visible
 * @param pipelineKeptPace          whether that was at least 95% of the written rate; if not, the backlog and with it
 *                                  the latency grew through the phase, and the percentiles depend on its length
 * @param latencyMs                 source commit to visible in the warehouse, per transaction, in milliseconds
 * @param cpu                       the JVM's CPU by part and the whole machine's, from the phase's first write until the
 *                                  warehouse held its last change: how near the cores the rate ran; null in results
 *                                  written before it was measured
 */
public record LatencyResult(boolean wholeTransactions, int targetChangesPerSecond, double seconds, long tickMillis, int ticks, int lateTicks,
                            long transactions, long changes,
                            long kafkaRecords, long writtenChangesPerSecond, boolean writerKeptRate,
                            Long warehouseChangesPerSecond, boolean pipelineKeptPace, Latency latencyMs,
                            ThreadCpu.Usage cpu) {

    /** Nearest-rank percentiles and the largest, in milliseconds to the tenth. */
    public record Latency(double p50, double p95, double p99, double max) {

        static Latency ofNanos(Percentiles nanos) {
            return new Latency(millis(nanos.p50()), millis(nanos.p95()), millis(nanos.p99()), millis(nanos.max()));
        }

        private static double millis(long nanos) {
            return Math.round(nanos / 1e5) / 10.0;
        }
    }
}
