package e2e;

import static org.assertj.core.api.Assertions.assertThat;

import embedded.EmbeddedKafkaBroker;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import monitor.CatchUp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture and the loaders in processes of their own, as on three machines: {@code run --no-poll --no-load} captures
 * the test's PostgreSQL into the test's Kafka broker, and two {@code run --no-poll --no-capture} processes of one
 * consumer group load that Kafka into one PostgreSQL warehouse database, each the partitions Kafka gives it. Each
 * process is SIGKILLed while a busy source writes (COPY bulk loads, transactions over two tables), on its own and with
 * another, and started again; the second loader joins and leaves under load, so partitions move between the loaders
 * with batches in flight. At the end the warehouse equals the source ({@code verify}) and its history holds every
 * source change exactly once, each source transaction's share of a partition in one warehouse transaction (a trigger
 * in the source recorded them). The loaders write nothing to the source and read no WAL; the capture opens no
 * warehouse.
 */
class CaptureAndLoadApartEndToEndTest {

    private static final Logger LOG = LoggerFactory.getLogger("apart");

    private static final Pattern STARTED = Pattern.compile("Apache Camel .* started in");
    /** A batch a loader wrote none of, because the other loader had loaded its partition on since. */
    private static final Pattern FENCED = Pattern.compile("Another loader has loaded some of");
    private static final Pattern SERVED = Pattern.compile("health at http://127\\.0\\.0\\.1:[1-9][0-9]*/observe/health", Pattern.CASE_INSENSITIVE);
    private static final Pattern LOADED = Pattern.compile("Loaded [1-9][0-9,]* change");
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration CATCH_UP = Duration.ofSeconds(180);
    private static final List<ChangeAudit.Table> TABLES = List.of(ChangeAudit.FLIGHT_STATE, ChangeAudit.FLIGHT_NOTE);
    private static final int CHANGES_PER_SECOND = 1_000;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aCaptureAndALoaderRunApartAndEveryChangeArrivesOnceThoughEachIsKilled() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), "apart-");
        try (EmbeddedPostgresServer source = EmbeddedPostgresServer.start(dir.resolve("source-postgres"), FreePorts.one());
             EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), FreePorts.pair())) {
            HistoryVerdict.prepare(source, TABLES);
            // The warehouse: another database of the source's server, as the settings allow.
            try (Connection c = source.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE analytics");
            }
            String warehouseUrl = source.jdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/analytics$1");
            String tables = TABLES.stream().map(t -> "public." + t.name()).collect(Collectors.joining(","));
            List<String> shared = List.of("--postgres-url", source.jdbcUrl(), "--routes", dir.resolve("no-routes").toString(),
                    "-D", "flightcdc.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "-D", "flightcdc.source.tables=" + tables,
                    "-D", "flightcdc.kafka.partitions=4",
                    "-D", "flightcdc.warehouse.type=postgres",
                    "-D", "flightcdc.warehouse.postgres-url=" + warehouseUrl,
                    "-D", "flightcdc.warehouse.postgres-user=" + source.user(),
                    // Several at once on this host: each serves its health on a port of its own.
                    "-D", "flightcdc.http.port=0");
            Map<String, String> environment = Map.of("FLIGHTCDC_SOURCE_PASSWORD", source.password(),
                    "FLIGHTCDC_WAREHOUSE_POSTGRES_PASSWORD", source.password());
            Process capture = new Process(dir, "capture", environment, shared, "--no-load",
                    "-D", "flightcdc.source.heartbeat-interval-ms=500");
            Process loader = new Process(dir, "loader", environment, shared, "--no-capture",
                    "-D", "flightcdc.load.consumers=2", "-D", "flightcdc.load.max-wait-ms=100");
            Process secondLoader = new Process(dir, "second-loader", environment, shared, "--no-capture",
                    "-D", "flightcdc.load.consumers=2", "-D", "flightcdc.load.max-wait-ms=100");
            CatchUp catchUp = CatchUps.of(source.jdbcUrl(), source.user(), source.password(), "flightcdc",
                    kafka.bootstrapServers(), "flightcdc-warehouse", TABLES.stream().map(t -> "flightcdc.public." + t.name()).toList());
            // Writes until told to stop, after the last restart: every kill and start happens while the source writes,
            // however long a start takes on a busy machine.
            ChangeGenerator generator = new ChangeGenerator(source, 1607L, Integer.MAX_VALUE, 400, CHANGES_PER_SECOND);
            ExecutorService background = Executors.newSingleThreadExecutor();
            try {
                // A loader first: it makes the topics, with the partitions all are given, before the capture does.
                loader.start();
                capture.start();
                catchUp.awaitStreaming(START);
                Future<?> generation = background.submit(generator);

                Thread.sleep(3_000);
                secondLoader.start();
                Thread.sleep(3_000);
                loader.kill(generator);
                Thread.sleep(2_000);
                loader.start();
                Thread.sleep(3_000);
                capture.kill(generator);
                Thread.sleep(2_000);
                capture.start();
                Thread.sleep(3_000);
                capture.kill(generator);
                secondLoader.kill(generator);
                Thread.sleep(2_000);
                Process.startTogether(capture, secondLoader);
                Thread.sleep(3_000);
                generator.stop();

                generation.get(CATCH_UP.toSeconds(), TimeUnit.SECONDS);
                catchUp.awaitLoaded(CATCH_UP);
                capture.stop();
                Process.stopTogether(loader, secondLoader);

                List<String> verify = List.of("--data-dir", dir.resolve("verify").toString(), "--postgres-url",
                        source.jdbcUrl(), "-D", "flightcdc.source.tables=" + tables,
                        "-D", "flightcdc.warehouse.type=postgres", "-D", "flightcdc.warehouse.postgres-url=" + warehouseUrl,
                        "-D", "flightcdc.warehouse.postgres-user=" + source.user());
                int verified = ChildJvm.verify(dir.resolve("verify.log"), verify, environment);
                HistoryVerdict verdict;
                try (Connection warehouse = DriverManager.getConnection(warehouseUrl, source.user(), source.password())) {
                    verdict = HistoryVerdict.of(source, warehouse, TABLES);
                }
                SkippedChanges skipped = new SkippedChanges();
                skipped.read(loader.lines);
                skipped.read(secondLoader.lines);
                LOG.info("Capture and two loaders apart: {} changes in {} transactions ({} bulk loads, {} over two"
                                + " tables); {} capture runs, {} + {} loader runs; {} replays skipped; {} batches rolled back"
                                + " by the fence; history: {} missing, {} extra, {} duplicated (lsn, op, key), {} transactions"
                                + " loaded in parts",
                        generator.written(), generator.transactions(), generator.bulkLoads(), generator.twoTableTransactions(),
                        capture.runs, loader.runs, secondLoader.runs, skipped.replays(),
                        loader.count(FENCED) + secondLoader.count(FENCED), verdict.missing().size(), verdict.extra().size(),
                        verdict.duplicatedPositions(), verdict.loadedInParts().size());

                assertThat(generator.bulkLoads()).as("COPY bulk loads among the transactions").isPositive();
                assertThat(generator.twoTableTransactions()).as("transactions that wrote two tables").isPositive();
                assertThat(verified).as("flight-cdc verify: the warehouse equals the source").isZero();
                assertThat(verdict.missing()).as("source changes missing from the history").isEmpty();
                assertThat(verdict.extra()).as("history rows beyond the source's changes").isEmpty();
                assertThat(verdict.duplicatedPositions()).as("(lsn, op, key) loaded more than once").isZero();
                assertThat(verdict.loadedInParts()).as("source transactions' shares of a partition loaded over several"
                        + " warehouse transactions").isEmpty();
                assertThat(skipped.unexplained()).as("changes skipped that no restart explains").isEmpty();

                // Each process ran its own stage only, and both loaders loaded.
                assertThat(dir.resolve("capture/warehouse.duckdb")).as("the capture opened no warehouse").doesNotExist();
                assertThat(dir.resolve("capture/debezium-offsets.dat")).as("the capture's position").exists();
                for (Process p : List.of(loader, secondLoader)) {
                    assertThat(dir.resolve(p.name + "/debezium-offsets.dat")).as(p.name + " captured nothing").doesNotExist();
                    assertThat(dir.resolve(p.name + "/warehouse.duckdb")).as(p.name + " opened no DuckDB file").doesNotExist();
                    assertThat(p.lines).as(p.name + " neither migrated the source nor read its WAL, and loaded")
                            .noneMatch(line -> line.contains("Source schema") || line.contains("Started capture (")
                                    || line.contains("Started monitor-replication-slot ("))
                            .anyMatch(line -> line.contains("Started load ("))
                            .anyMatch(line -> line.contains("Warehouse postgres jdbc:postgresql://"))
                            .anyMatch(line -> LOADED.matcher(line).find());
                }
                assertThat(List.of(dir.resolve("capture/postgres"), dir.resolve("capture/kafka"), dir.resolve("loader/postgres"),
                        dir.resolve("loader/kafka"))).as("no embedded server started").allMatch(Files::notExists);
                for (Process p : List.of(capture, loader, secondLoader)) {
                    assertThat(p.lines).as(p.name + " said where it serves its health: the port picked, not the 0 asked for")
                            .anyMatch(line -> SERVED.matcher(line).find());
                }
                assertThat(loader.lines).as("the first loader made the topics")
                        .anyMatch(line -> line.contains("Created Kafka topics") && line.contains("(4 partitions"));
                assertThat(capture.lines).as("the capture loaded nothing")
                        .noneMatch(line -> line.contains("Started load (") || line.contains("Started monitor-consumer-lag (")
                                || line.contains("Started dashboard-"))
                        .anyMatch(line -> line.contains("Started capture ("))
                        .anyMatch(line -> line.contains("Published ") && line.contains("changes to Kafka"));
            } finally {
                generator.stop();
                background.shutdownNow();
                background.awaitTermination(30, TimeUnit.SECONDS);
                capture.close();
                loader.close();
                secondLoader.close();
            }
        }
    }

    /** One of the applications, run after run on the same data folder, each run with a log of its own. */
    private static final class Process implements AutoCloseable {

        private final Path dir;
        private final String name;
        private final Map<String, String> environment;
        private final List<String> args = new ArrayList<>(List.of("run", "--no-poll"));
        private final List<String> lines = new ArrayList<>();
        private ChildJvm current;
        private int runs;

        Process(Path dir, String name, Map<String, String> environment, List<String> shared, String... own) {
            this.dir = dir;
            this.name = name;
            this.environment = environment;
            args.addAll(List.of("--data-dir", dir.resolve(name).toString()));
            args.addAll(shared);
            args.addAll(List.of(own));
        }

        long count(Pattern pattern) {
            return lines.stream().filter(line -> pattern.matcher(line).find()).count();
        }

        void start() throws InterruptedException {
            startTogether(this);
        }

        /** Starts each, then waits for each: their starts overlap, as on machines of their own. */
        static void startTogether(Process... processes) throws InterruptedException {
            for (Process p : processes) {
                p.runs++;
                p.current = ChildJvm.flightCdc(p.dir.resolve(p.name + "-" + p.runs + ".log"), p.args, p.environment);
            }
            for (Process p : processes) {
                p.current.awaitLine(STARTED, START);
            }
        }

        /** Stops each with SIGTERM, at once, and waits until all have. */
        static void stopTogether(Process... processes) {
            List<CompletableFuture<Void>> stopping = new ArrayList<>();
            for (Process p : processes) {
                stopping.add(CompletableFuture.runAsync(() -> {
                    try {
                        p.stop();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }));
            }
            stopping.forEach(CompletableFuture::join);
        }

        void kill(ChangeGenerator generator) throws InterruptedException {
            LOG.info("Kill: the {}'s run {}; {} changes written", name, runs, generator.written());
            current.kill();
            ended();
        }

        void stop() throws InterruptedException {
            current.stop();
            ended();
        }

        private void ended() {
            lines.addAll(current.lines());
            current.close();
            current = null;
        }

        @Override
        public void close() {
            if (current != null) {
                current.close();
            }
        }
    }
}
