package bench;

import java.util.List;
import java.util.Locale;

/** The latency phases of a result, for people: a table, how it was measured, and what fell short. */
final class LatencyTable {

    private LatencyTable() {
    }

    static String markdown(List<LatencyResult> phases) {
        if (phases.isEmpty()) {
            return "";
        }
        LatencyResult first = phases.get(0);
        StringBuilder md = new StringBuilder("\n## Latency at fixed rates\n\n");
        md.append(format("After the throughput run, with the warehouse holding every change before each phase: one"
                + " transaction every %d ms (rate × %d ms of changes, the same mix) on a fixed timetable; a writer that"
                + " falls behind writes its late ticks back to back. Latency is per transaction, from its source commit"
                + " until the warehouse held it, exact per loaded batch: timed right after the warehouse transaction that"
                + " made it visible committed. Percentiles are nearest-rank. CPU from the phase's first write until the"
                + " warehouse held its last change: the JVM's per change (the bench's own threads left out), and the whole"
                + " machine's busy cores, the embedded PostgreSQL's processes included.%n%n", first.tickMillis(),
                first.tickMillis()));
        md.append("| rate asked (changes/s) | whole transactions | seconds | written (changes/s) | transactions | p50 (ms)"
                + " | p95 (ms) | p99 (ms) | max (ms) | warehouse carried (changes/s) | JVM CPU (µs per change) | machine busy"
                + " (cores) |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (LatencyResult p : phases) {
            md.append(format("| %,d | %s | %.1f | %,d%s | %,d | %.1f | %.1f | %.1f | %.1f | %s%s | %s | %s |%n",
                    p.targetChangesPerSecond(), p.wholeTransactions() ? "yes" : "no", p.seconds(), p.writtenChangesPerSecond(),
                    p.writerKeptRate() ? "" : " (short)", p.transactions(),
                    p.latencyMs().p50(), p.latencyMs().p95(), p.latencyMs().p99(), p.latencyMs().max(),
                    p.warehouseChangesPerSecond() == null ? "all in one batch" : format("%,d", p.warehouseChangesPerSecond()),
                    p.pipelineKeptPace() ? "" : " (fell behind)",
                    p.cpu() == null ? "–" : format("%.1f", p.cpu().pipelineMicrosPerChange()),
                    p.cpu() == null || p.cpu().machine() == null ? "–"
                            : format("%.2f of %d", p.cpu().machine().busyCores(), p.cpu().machine().cores())));
        }
        md.append('\n');
        // Each phase loading whole transactions is followed by its twin loading them in parts (LatencyPhases).
        for (int i = 0; i + 1 < phases.size(); i++) {
            LatencyResult whole = phases.get(i);
            LatencyResult parts = phases.get(i + 1);
            if (whole.wholeTransactions() && !parts.wholeTransactions()
                    && whole.targetChangesPerSecond() == parts.targetChangesPerSecond()) {
                md.append(format("- At %,d changes/s, loading each transaction whole (waiting for its end marker) cost"
                                + " %+.1f ms at p50 and %+.1f ms at p99 over loading what Kafka delivered as it came,"
                                + " in the phase that followed.%n", whole.targetChangesPerSecond(),
                        whole.latencyMs().p50() - parts.latencyMs().p50(), whole.latencyMs().p99() - parts.latencyMs().p99()));
            }
        }
        for (LatencyResult p : phases) {
            String at = format("At %,d changes/s%s", p.targetChangesPerSecond(), p.wholeTransactions() ? "" : " (in parts)");
            if (!p.writerKeptRate()) {
                md.append(format("- %s the source writer fell short: it wrote %,d changes/s, and the"
                        + " latencies are those of that rate.%n", at, p.writtenChangesPerSecond()));
            }
            if (p.lateTicks() > 0) {
                md.append(format("- %s the writer was behind the timetable for %,d of the %,d ticks%s.%n",
                        at, p.lateTicks(), p.ticks(), p.transactions() < p.ticks()
                                ? format(", and had written %,d when the phase's time was up", p.transactions()) : ""));
            }
            if (!p.pipelineKeptPace()) {
                md.append(format("- %s the pipeline fell behind: the warehouse carried %,d of the %,d"
                                + " changes/s written, so the backlog, and with it the latency, grew for as long as the"
                                + " phase ran; its percentiles depend on the phase's length.%n", at,
                        p.warehouseChangesPerSecond(), p.writtenChangesPerSecond()));
            }
        }
        return md.toString();
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
