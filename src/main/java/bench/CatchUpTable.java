package bench;

import java.util.Locale;

/** The "capture stage, same WAL" section of results.md: what was measured, how, and the readers side by side. */
final class CatchUpTable {

    private static final String NONE = "–";

    private CatchUpTable() {
    }

    static String markdown(BenchResult.CatchUp c) {
        StringBuilder md = new StringBuilder();
        md.append("## Capture stage, same WAL (catch-up)\n\n");
        md.append(format("With the capture and load routes stopped, %,d more changes were written (%,d transactions"
                        + " in %.1f s; %,d Kafka records). Each reader then read that same WAL, through pgoutput and the"
                        + " pipeline's publication, from a replication slot of its own made before the writes, one"
                        + " after the other: our capture (the load held back until Kafka had every record, so that it"
                        + " takes no CPU from the capture), then the ceiling and the peers where they ran.%n%n",
                c.changes(), c.transactions(), c.writingSeconds(), c.kafkaRecords()));
        md.append("| reader | start → first record (s) | first → last record (s) | changes/s | records/s"
                + " | start → last (s) | bytes/record in Kafka | load average at the end |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (BenchResult.Reader r : c.readers()) {
            md.append(format("| %s | %.2f | %.2f | %,d | %s | %.2f | %s | %.2f |%n", r.name(), r.startToFirst(),
                    r.firstToLast(), r.changesPerSecond(), count(r.recordsPerSecond()), r.startToLast(),
                    count(r.bytesPerRecord()), r.loadAverage()));
        }
        md.append('\n');
        if (c.oursToPeer() != null || c.oursToCeiling() != null) {
            md.append(format("%s over the peer: **%s**; over the peer tuned as ours: **%s**; over the ceiling: **%s**"
                            + " (changes/s)%n%n", CaptureCatchUp.OURS, ratio(c.oursToPeer()), ratio(c.oursToTunedPeer()),
                    ratio(c.oursToCeiling())));
        }
        c.skipped().forEach(s -> md.append("Not measured: ").append(s).append("\n\n"));
        c.readers().stream().filter(r -> r.extraRecords() != null && r.extraRecords() != 0).forEach(r -> md.append(
                format("**%s wrote %,d records more than expected** (replayed after its start?).%n%n", r.name(),
                        r.extraRecords())));
        md.append("The rates count from a reader's first record in Kafka to its last (pg_recvlogical: from its first"
                + " byte of output until it reached the WAL position after the last change, its output drained and"
                + " thrown away); start-up (a JVM, connecting, finding the slot's position) is the first column."
                + " The peer is Kafka Connect standalone in a JVM of its own (connect-standalone.sh's heap and GC"
                + " options) running Debezium's PostgreSQL connector with `snapshot.mode=no_data`, writing JSON"
                + " without schemas for keys and values as our capture does, so the bytes per record compare;"
                + " Connect's producer keeps its defaults (acks=all, one request in flight). The peer tuned as ours runs"
                + " the same with our capture's producer settings (acks=all, idempotent, 5 requests in flight, 20 ms"
                + " linger, 256 KiB batches, lz4) and our collector (ParallelGC), so that its ratio compares the capture code"
                + " alone. The load average is the"
                + " machine's (1 minute) when the reader was done: on shared cores, compare readers that ran at"
                + " similar loads.\n\n");
        BenchResult.Load load = c.load();
        md.append(format("End to end: our load, started once Kafka held every record, had them all in the warehouse"
                        + " %.2f s later (%,d changes/s); from the capture's restart to the last change in the warehouse,"
                        + " %.2f s (%,d changes/s).%n",
                load.seconds(), load.changesPerSecond(), load.fromCaptureStart(), load.fromCaptureStartPerSecond()));
        if (c.captureCpu() != null) {
            md.append('\n').append(ResultWriter.cpu(c.captureCpu(), "while our capture caught up"));
            md.append(ResultWriter.cpu(c.loadCpu(), "while our load then caught up"));
        }
        return md.toString();
    }

    private static String count(Long n) {
        return n == null ? NONE : format("%,d", n);
    }

    private static String ratio(Double r) {
        return r == null ? NONE : format("%.2f", r);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
