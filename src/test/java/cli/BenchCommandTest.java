package cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import bench.BenchResult;
import bench.LatencyResult;
import bench.ResultWriter;
import bench.ThreadCpu;
import e2e.FreePorts;
import e2e.SecretSearch;
import embedded.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code flight-cdc bench} through its real code path on a tiny workload, with topics of two partitions loaded by two
 * consumers: the pipeline starts, carries every change, stops, and the results it writes add up, the capture's catch-up beside its ceiling and its
 * peer included, and the initial snapshot of a table on a pipeline of its own. Speed is the machine's business, not the test's.
 */
class BenchCommandTest {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void measuresATinyWorkloadAndWritesResultsThatAddUp() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), "bench-");
        Path out = dir.resolve("results");
        StringWriter stdout = new StringWriter();
        CommandLine cli = FlightCdc.commandLine();
        cli.setOut(new PrintWriter(stdout));

        int exitCode = cli.execute("bench", "--changes", "2000", "--aircraft", "500", "--seed", "7",
                "--latency-rates", "200,1000", "--latency-seconds", "2", "--latency-tick-ms", "50",
                // Every speed-up on: each latency phase starts by checking the warehouse holds, in each partition, the
                // records the bench counted for it, and times each transaction by its own partitions' records.
                "--partitions", "2", "--loaders", "2",
                "--snapshot-rows", "3000",
                "--idle-seconds", "2",
                "--data-dir", dir.toString(), "--out", out.toString(),
                "-D", "flightcdc.source.embedded-port=" + FreePorts.one(),
                "-D", "flightcdc.kafka.embedded-port=" + FreePorts.pair());

        assertThat(exitCode).as(stdout.toString()).isZero();
        assertThat(dir.resolve("bench/warehouse.duckdb")).as("the bench runs in a folder of its own").exists();
        BenchResult result = new ResultWriter().read(out);
        BenchResult.Workload w = result.workload();
        assertThat(w.changes()).isEqualTo(2000);
        assertThat(w.inserts() + w.updates() + w.deletes()).isEqualTo(2000);
        assertThat(w.updates()).isGreaterThan(w.inserts()).isGreaterThan(w.deletes());
        assertThat(w.kafkaRecords()).as("a tombstone after each delete").isEqualTo(2000 + w.deletes());
        assertThat(w.aircraft()).isEqualTo(500);
        assertThat(w.partitions()).isEqualTo(2);
        assertThat(w.loaders()).isEqualTo(2);
        assertThat(result.initialLoad().rows()).isEqualTo(500);
        assertThat(result.stages()).hasSize(3).allSatisfy(stage -> {
            assertThat(stage.changesPerSecond()).as(stage.name()).isPositive();
            assertThat(stage.seconds()).as(stage.name()).isPositive();
        });
        BenchResult.Stage source = result.stages().get(0);
        BenchResult.Stage kafka = result.stages().get(1);
        BenchResult.Stage warehouse = result.stages().get(2);
        assertThat(warehouse.afterLastCommit()).isGreaterThanOrEqualTo(kafka.afterLastCommit()).isGreaterThanOrEqualTo(0);
        assertThat(source.afterLastCommit()).isZero();
        assertThat(result.memory().peakHeapBytes()).isPositive();
        assertThat(result.machine().cores()).isPositive();
        assertThat(result.command()).startsWith("flight-cdc bench --changes 2000");
        assertThat(result.commit()).isNotBlank();
        // The JVM's CPU while the changes were carried, by part: each stage of the pipeline worked.
        ThreadCpu.Usage cpu = result.cpu();
        assertThat(cpu.changes()).isEqualTo(2000);
        assertThat(cpu.parts()).extracting(ThreadCpu.Part::part).contains(ThreadCpu.DECODE, ThreadCpu.CAPTURE, ThreadCpu.PRODUCE, ThreadCpu.BROKER,
                ThreadCpu.LOAD, ThreadCpu.BENCH);
        assertThat(cpu.parts()).filteredOn(p -> List.of(ThreadCpu.DECODE, ThreadCpu.CAPTURE, ThreadCpu.PRODUCE, ThreadCpu.BROKER, ThreadCpu.LOAD).contains(p.part()))
                .allSatisfy(p -> assertThat(p.microsPerChange()).as(p.part()).isPositive());
        double pipelineParts = cpu.parts().stream().filter(p -> !p.part().equals(ThreadCpu.BENCH))
                .mapToDouble(ThreadCpu.Part::microsPerChange).sum();
        assertThat(cpu.pipelineMicrosPerChange()).isPositive().isCloseTo(pipelineParts, within(0.1 * pipelineParts));
        // The whole machine beside it: outside this JVM, the embedded PostgreSQL made the writes and decoded its WAL.
        assertThat(cpu.machine().busyCores()).isPositive().isGreaterThanOrEqualTo(cpu.machine().outsideJvmCores());
        assertThat(cpu.machine().outsideMicrosPerChange()).isPositive();
        assertThat(result.verification().matches()).isTrue();
        assertThat(result.verification().tables()).singleElement().asString().endsWith("— MATCH");
        // Each rate twice: loading whole transactions, then as Kafka delivers them, for what the first costs.
        assertThat(result.latency()).extracting(LatencyResult::targetChangesPerSecond).containsExactly(200, 200, 1000, 1000);
        assertThat(result.latency()).extracting(LatencyResult::wholeTransactions).containsExactly(true, false, true, false);
        assertThat(result.latency()).allSatisfy(phase -> {
            assertThat(phase.seconds()).isGreaterThanOrEqualTo(2.0);
            assertThat(phase.tickMillis()).isEqualTo(50);
            assertThat(phase.ticks()).isEqualTo(40); // 2 s of 50 ms ticks
            // One transaction of rate × tick changes per tick written; ticks not reached in time are left out.
            assertThat(phase.transactions()).isBetween(1L, (long) phase.ticks());
            assertThat(phase.lateTicks()).isBetween(0, phase.ticks());
            assertThat(phase.changes()).isEqualTo(phase.transactions() * phase.targetChangesPerSecond() / 20);
            assertThat(phase.kafkaRecords()).isGreaterThanOrEqualTo(phase.changes());
            assertThat(phase.writtenChangesPerSecond()).isPositive().isLessThanOrEqualTo(phase.targetChangesPerSecond());
            LatencyResult.Latency ms = phase.latencyMs();
            assertThat(ms.p50()).isPositive();
            assertThat(ms.p95()).isGreaterThanOrEqualTo(ms.p50());
            assertThat(ms.p99()).isGreaterThanOrEqualTo(ms.p95());
            assertThat(ms.max()).isGreaterThanOrEqualTo(ms.p99());
            // What the phase cost, and how near the machine's cores it ran.
            assertThat(phase.cpu().changes()).isEqualTo(phase.changes());
            assertThat(phase.cpu().pipelineMicrosPerChange()).isPositive();
            assertThat(phase.cpu().machine().busyCores()).isPositive();
        });
        assertThat(Files.readString(out.resolve(ResultWriter.MARKDOWN))).contains("| warehouse: loaded (end to end) |",
                "**MATCH**", "2,000 changes", "in 2 partitions, loaded by 2 consumers", "µs per change**", "cores busy**, of which", "| " + ThreadCpu.CAPTURE + " | ", "## Latency at fixed rates", "| 1,000 | yes | ", "| 1,000 | no | ",
                "At 1,000 changes/s, loading each transaction whole (waiting for its end marker) cost");
        assertThat(stdout.toString()).contains("**MATCH**", "results.json");

        // After the latency phases, the JVM's CPU with nothing to carry, by part: the broker's and the capture's timers.
        ThreadCpu.Idle idle = result.idle();
        assertThat(idle.wallSeconds()).isGreaterThanOrEqualTo(2.0);
        assertThat(idle.percentOfCore()).isPositive().isLessThan(100.0 * result.machine().cores());
        assertThat(idle.parts()).extracting(ThreadCpu.IdlePart::part).contains(ThreadCpu.DECODE, ThreadCpu.BROKER, ThreadCpu.LOAD);
        assertThat(Files.readString(out.resolve(ResultWriter.MARKDOWN))).contains("## Idle", "% of one core**");

        // Last, a pipeline of its own snapshots a table that held 3,000 rows before it started.
        BenchResult.Snapshot snapshot = result.snapshot();
        assertThat(snapshot.rows()).isEqualTo(3000);
        assertThat(snapshot.loadedOnce()).as("each snapshot row once in the warehouse").isTrue();
        assertThat(snapshot.tableBytes()).isPositive();
        assertThat(snapshot.copyOutRowsPerSecond()).isPositive();
        assertThat(snapshot.kafkaRowsPerSecond()).isPositive();
        assertThat(snapshot.warehouseRowsPerSecond()).isPositive().isLessThanOrEqualTo(snapshot.kafkaRowsPerSecond());
        assertThat(snapshot.startToWarehouseSeconds()).isGreaterThanOrEqualTo(snapshot.firstRowSeconds()).isPositive();
        assertThat(snapshot.cpu().changes()).isEqualTo(3000);
        assertThat(Files.readString(out.resolve(ResultWriter.MARKDOWN))).contains("## Initial snapshot",
                "A `flight_state` of 3,000 rows", "µs per row**", "every row in the warehouse");

        // The catch-up on one pre-written stretch of WAL: the ceiling (where pg_recvlogical is installed), the
        // peer in its own JVM as shipped and tuned as ours, and ours, each with every record once.
        BenchResult.CatchUp catchUp = result.catchUp();
        assertThat(catchUp.changes()).isEqualTo(2000);
        assertThat(catchUp.kafkaRecords()).isGreaterThan(2000);
        List<String> readers = catchUp.readers().stream().map(BenchResult.Reader::name).toList();
        assertThat(readers).endsWith("Kafka Connect + Debezium (peer)", "Kafka Connect + Debezium tuned as ours (peer)",
                "flight-cdc capture");
        if (!readers.contains("pg_recvlogical (ceiling)")) {
            assertThat(catchUp.skipped()).singleElement().asString().contains("pg_recvlogical was not found");
            assertThat(catchUp.oursToCeiling()).isNull();
        } else {
            assertThat(readers).hasSize(4).startsWith("pg_recvlogical (ceiling)");
            assertThat(catchUp.skipped()).isEmpty();
            assertThat(catchUp.oursToCeiling()).isPositive();
        }
        assertThat(catchUp.readers()).allSatisfy(reader -> {
            assertThat(reader.changesPerSecond()).as(reader.name()).isPositive();
            assertThat(reader.startToLast()).as(reader.name()).isGreaterThanOrEqualTo(reader.firstToLast());
        });
        assertThat(catchUp.readers()).filteredOn(reader -> reader.recordsPerSecond() != null).hasSize(3)
                .allSatisfy(reader -> {
                    assertThat(reader.extraRecords()).as(reader.name() + ": every record once").isZero();
                    assertThat(reader.bytesPerRecord()).as(reader.name()).isPositive();
                });
        assertThat(catchUp.oursToPeer()).isPositive();
        assertThat(catchUp.oursToTunedPeer()).isPositive();
        assertThat(dir.resolve("bench/capture-peers/benchpeertuned/worker.properties")).content()
                .contains("producer.linger.ms=20", "producer.batch.size=262144", "producer.enable.idempotence=true");
        assertThat(catchUp.captureCpu().parts()).filteredOn(p -> p.part().equals(ThreadCpu.DECODE)).singleElement()
                .satisfies(p -> assertThat(p.microsPerChange()).isPositive());
        assertThat(catchUp.load().fromCaptureStart()).isGreaterThan(catchUp.load().seconds()).isPositive();
        assertThat(Files.readString(out.resolve(ResultWriter.MARKDOWN))).contains("## Capture stage, same WAL",
                "| Kafka Connect + Debezium (peer) |", "| flight-cdc capture |", "while our capture caught up");
        assertThat(dir.resolve("bench/capture-peers/benchpeer/connect.log")).as("the peer's own log").exists();

        // The peer logs in with the embedded server's password, given in its environment: only the password file holds it.
        Path passwordFile = EmbeddedPostgresServer.passwordFile(dir.resolve("bench/postgres"));
        String password = Files.readString(passwordFile).strip();
        assertThat(dir.resolve("bench/capture-peers/benchpeer/connector.properties")).content()
                .contains("database.password=${env\\:FLIGHTCDC_PEER_DATABASE_PASSWORD}");
        assertThat(SecretSearch.filesHolding(dir, password)).containsExactly(passwordFile);
    }
}
