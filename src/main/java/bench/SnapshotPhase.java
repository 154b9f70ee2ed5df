package bench;

import app.BackgroundPipeline;
import embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.PipelineSettings;
import snapshot.DirectSnapshot;
import source.SourceDatabase;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * The initial snapshot, clocked: a PostgreSQL of the bench's own is given a {@code flight_state} of {@code rows} rows
 * before any pipeline has seen it, as a user's database is on the first start, and a pipeline started against it
 * reads them all (Debezium's snapshot, op 'r') into Kafka and the warehouse. Beside it, how long PostgreSQL itself
 * takes to hand the table out with COPY, the ceiling of any reader.
 */
final class SnapshotPhase {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPhase.class);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STALL_TIMEOUT = Duration.ofMinutes(2);

    private final long rows;
    private final Map<String, String> pipelineOverrides;
    private final Path dir;

    /**
     * @param pipelineOverrides the bench's settings for its pipeline (partitions, consumers, the embedded broker's port)
     * @param dir a folder of its own for this phase's PostgreSQL, Kafka and warehouse
     */
    SnapshotPhase(long rows, Map<String, String> pipelineOverrides, Path dir) {
        this.rows = rows;
        this.pipelineOverrides = pipelineOverrides;
        this.dir = dir;
    }

    BenchResult.Snapshot run() throws Exception {
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), freePort())) {
            try (SourceDatabase schema = SourceDatabase.of(postgres)) {
                schema.migrate();
            }
            long tableBytes = fill(postgres);
            long copyOutNanos = copyOut(postgres);
            LOG.info("Snapshot: {} rows ({} MiB) in the source; PostgreSQL hands them out with COPY in {} ms", rows,
                    tableBytes >> 20, copyOutNanos / 1_000_000);

            Map<String, String> overrides = new HashMap<>(pipelineOverrides);
            overrides.put("flightcdc.data-dir", dir.resolve("pipeline").toString());
            overrides.put("flightcdc.warehouse.duckdb-path", dir.resolve("pipeline/warehouse.duckdb").toString());
            overrides.put("flightcdc.source.jdbc-url", postgres.jdbcUrl());
            overrides.put("flightcdc.source.user", postgres.user());
            overrides.put("flightcdc.source.password", postgres.password());
            ThreadCpu cpuBefore = ThreadCpu.now();
            long started = System.nanoTime();
            try (BackgroundPipeline pipeline = BackgroundPipeline.start(overrides, START_TIMEOUT);
                 BenchKafka kafka = BenchKafka.of(pipeline)) {
                long running = System.nanoTime();
                PipelineSettings settings = pipeline.bean("settings", PipelineSettings.class);
                String topic = settings.kafka().topicFor(Benchmark.TABLE);
                DuckDbWarehouse warehouse = pipeline.bean("warehouse", DuckDbWarehouse.class);
                if (settings.capture().snapshot() == PipelineSettings.Capture.Snapshot.DIRECT) {
                    // Taken while the pipeline started: done by now.
                    DirectSnapshot.Result direct = pipeline.bean(DirectSnapshot.RESULT, DirectSnapshot.Result.class);
                    ThreadCpu.Usage cpu = ThreadCpu.now().since(cpuBefore, rows, direct.threadCpuNanos());
                    boolean matches = loadedOnce(warehouse);
                    LOG.info("Snapshot: {} rows in the warehouse {} s after the start, by a direct snapshot; {}", rows,
                            Throughput.seconds(running - started), matches ? "each once" : "NOT each once");
                    return new BenchResult.Snapshot("direct", rows, tableBytes, Throughput.seconds(copyOutNanos),
                            Throughput.perSecond(rows, copyOutNanos), Throughput.seconds(running - started), 0, 0,
                            Throughput.perSecond(direct.rows(), direct.nanos()), Throughput.seconds(running - started),
                            matches && direct.rows() == rows, cpu);
                }
                long first = firstRecord(kafka, topic);
                StageClock.Arrivals arrivals = new StageClock(() -> kafka.records(topic),
                        () -> RecordCounts.loaded(warehouse, topic), Duration.ofMillis(20), STALL_TIMEOUT, Duration.ofSeconds(5))
                        .await("Snapshot", CompletableFuture.completedFuture(rows), () -> rows);
                ThreadCpu.Usage cpu = ThreadCpu.now().since(cpuBefore, rows);
                boolean matches = loadedOnce(warehouse);
                LOG.info("Snapshot: {} rows in the warehouse {} s after the start; {}", rows,
                        Throughput.seconds(arrivals.inWarehouseNanos() - started), matches ? "each once" : "NOT each once");
                return new BenchResult.Snapshot("debezium", rows, tableBytes, Throughput.seconds(copyOutNanos),
                        Throughput.perSecond(rows, copyOutNanos), Throughput.seconds(running - started),
                        Throughput.seconds(first - started),
                        Throughput.perSecond(rows, arrivals.inKafkaNanos() - first),
                        Throughput.perSecond(rows, arrivals.inWarehouseNanos() - first),
                        Throughput.seconds(arrivals.inWarehouseNanos() - started), matches, cpu);
            }
        }
    }

    private long fill(EmbeddedPostgresServer postgres) throws Exception {
        try (Connection c = postgres.connect()) {
            WideRows.insert(c, rows);
            try (Statement s = c.createStatement()) {
                s.execute("VACUUM ANALYZE public.flight_state");
                try (ResultSet size = s.executeQuery("SELECT pg_total_relation_size('public.flight_state')")) {
                    size.next();
                    return size.getLong(1);
                }
            }
        }
    }

    /** How long PostgreSQL takes to write the whole table out with COPY, to a client that throws it away. */
    private static long copyOut(EmbeddedPostgresServer postgres) throws Exception {
        try (Connection c = postgres.connect()) {
            long started = System.nanoTime();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY public.flight_state TO STDOUT", OutputStream.nullOutputStream());
            return System.nanoTime() - started;
        }
    }

    /** When the snapshot's first row reached Kafka: the snapshot's rate counts from there, start-up apart. */
    private static long firstRecord(BenchKafka kafka, String topic) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (kafka.records(topic) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Snapshot: no row reached Kafka within " + START_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(5);
        }
        return System.nanoTime();
    }

    /** Whether the warehouse holds each row once, in its current state and its history. */
    private boolean loadedOnce(DuckDbWarehouse warehouse) throws Exception {
        try (Connection c = warehouse.newReader();
             Statement s = c.createStatement();
             ResultSet counts = s.executeQuery("SELECT (SELECT count(*) FROM flight_state),"
                     + " (SELECT count(DISTINCT icao24) FROM flight_state),"
                     + " (SELECT count(*) FROM flight_state_history WHERE _op = 'r')")) {
            counts.next();
            return counts.getLong(1) == rows && counts.getLong(2) == rows && counts.getLong(3) == rows;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
