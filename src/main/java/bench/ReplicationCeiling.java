package bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The physical ceiling of the capture stage: PostgreSQL's own client, pg_recvlogical, streaming the
 * same WAL through the same output plugin (pgoutput) and publication as Debezium does, from a slot
 * made before the changes were written, and throwing the bytes away. Nothing that decodes the
 * messages, turns them into records and sends them to Kafka can be faster than this.
 *
 * <p>Its output is read here rather than sent to /dev/null so that its first byte can be clocked:
 * draining a pipe costs next to nothing, and the rate then counts from the first change to the last,
 * as for the other readers. It stops by itself at {@code --endpos}, the WAL position after the last change.
 */
final class ReplicationCeiling implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationCeiling.class);
    static final String NAME = "pg_recvlogical (ceiling)";
    static final String SLOT = "bench_ceiling";
    private static final String PROGRAM = "pg_recvlogical";
    private static final long TIMEOUT_MINUTES = 10;

    private final LogicalSlot slot;
    private final Path program;
    private final Path log;

    private ReplicationCeiling(LogicalSlot slot, Path program, Path log) {
        this.slot = slot;
        this.program = program;
        this.log = log;
    }

    /** pg_recvlogical on the PATH, if PostgreSQL's client tools are installed. */
    static Optional<Path> program() {
        return program(System.getenv().getOrDefault("PATH", ""));
    }

    /** pg_recvlogical in the first folder of {@code path} (a PATH) that has it. */
    static Optional<Path> program(String path) {
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, PROGRAM);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Why the ceiling cannot be measured on this machine. */
    static String notInstalled() {
        return PROGRAM + " was not found on the PATH, so the ceiling was not measured"
                + " (it comes with PostgreSQL's client tools; Debian: apt-get install postgresql-client)";
    }

    /** Makes the ceiling's slot; call before the changes are written. */
    static ReplicationCeiling prepare(DataSource source, Path program, Path workDir)
            throws SQLException, IOException, InterruptedException {
        Files.createDirectories(workDir);
        return new ReplicationCeiling(LogicalSlot.create(source, SLOT, "pgoutput"), program, workDir.resolve("pg_recvlogical.log"));
    }

    /** Streams the slot up to {@code endLsn} and clocks it; {@code changes} were written in that stretch. */
    BenchResult.Reader measure(PostgresEndpoint pg, String endLsn, long changes) throws Exception {
        List<String> command = List.of(program.toString(), "--host", pg.host(), "--port", String.valueOf(pg.port()),
                "--username", pg.user(), "--dbname", pg.database(), "--slot", slot.name(), "--start",
                "--endpos", endLsn, "--no-loop", "--file", "-",
                // What Debezium asks pgoutput for: protocol 1 and the pipeline's publication.
                "--option", "proto_version=1", "--option", "publication_names=" + pg.publication());
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        builder.environment().put("PGPASSWORD", pg.password().value());
        LOG.info("{}: streaming slot {} up to {}", NAME, slot.name(), endLsn);
        long started = System.nanoTime();
        Process process = builder.start();
        try {
            CompletableFuture<long[]> drained = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                throw new IllegalStateException(NAME + " did not reach " + endLsn + " within " + TIMEOUT_MINUTES + " minutes");
            }
            long[] firstByteAndEnd = drained.get(1, TimeUnit.MINUTES);
            if (process.exitValue() != 0 || firstByteAndEnd[0] == 0) {
                throw new IllegalStateException(NAME + " exited with code " + process.exitValue() + " having read "
                        + firstByteAndEnd[2] + " bytes: " + String.join(" | ", lastLines()));
            }
            CatchUpClock.Timeline t = new CatchUpClock.Timeline(started, firstByteAndEnd[0], firstByteAndEnd[1]);
            LOG.info("{}: {} bytes of pgoutput messages in {} s from the first byte ({} changes/s)", NAME,
                    firstByteAndEnd[2], Throughput.seconds(t.firstToLastNanos()),
                    Throughput.perSecond(changes, t.firstToLastNanos()));
            return new BenchResult.Reader(NAME, Throughput.seconds(t.startToFirstNanos()),
                    Throughput.seconds(t.firstToLastNanos()), Throughput.seconds(t.startToLastNanos()),
                    Throughput.perSecond(changes, t.firstToLastNanos()), null, null, null, CatchUpClock.loadAverage());
        } finally {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Reads the stream to its end: System.nanoTime() of the first byte and of the end, and the bytes read. */
    private static long[] drain(InputStream in) {
        byte[] buffer = new byte[1 << 16];
        long first = 0;
        long bytes = 0;
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (first == 0 && n > 0) {
                    first = System.nanoTime();
                }
                bytes += n;
            }
        } catch (IOException e) {
            // The process was ended under us; the exit code tells what happened.
        }
        return new long[] {first, System.nanoTime(), bytes};
    }

    private List<String> lastLines() {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.subList(Math.max(0, lines.size() - 5), lines.size());
        } catch (IOException e) {
            return List.of("(no output in " + log + ")");
        }
    }

    @Override
    public void close() throws Exception {
        slot.close();
    }
}
