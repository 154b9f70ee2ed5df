package e2e;

import static org.assertj.core.api.Assertions.assertThat;

import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import monitor.CatchUp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery promise under crashes: the real application, in a JVM of its own with its embedded
 * Kafka broker, is SIGKILLed again and again at random moments while a busy source writes 100,000
 * changes, and restarted each time. PostgreSQL belongs to the test (the application's external
 * source), so it lives through every crash; Kafka, Debezium's offsets and DuckDB die with the
 * application and must recover. Debezium's position is kept in the data folder's file for the first two runs,
 * then in the source (flightcdc.capture.position-store=source), which takes the file's position over while the
 * crashes go on. Some transactions are COPY bulk loads, some write a second table too. At the
 * end {@code flight-cdc verify} must find the warehouse's current state equal to the source, its history must
 * hold every source change exactly once, as a trigger in the source recorded them, and every source
 * transaction must have been loaded in one warehouse transaction, crashes or not (with several partitions: its share
 * in each partition). Half the seeds run with three partitions per topic and two loader consumers.
 *
 * <p>The random moments come from a seed that is logged; {@code -Dchaos.seed=N} replays a run's
 * choices (the timing of a machine never replays exactly). Logs: target/chaos/run-.../app-N.log.
 */
class CrashRecoveryChaosTest {

    private static final Logger LOG = LoggerFactory.getLogger("chaos");

    private static final int CHANGES = 100_000;
    private static final int MAX_TRANSACTION = 500;
    private static final int KILLS = 5;
    /** The first runs keep Debezium's position in the data folder's file, the later ones in the source database. */
    private static final int RUNS_WITH_POSITION_IN_FILE = 2;
    /** Slow enough that the source is still writing through most of the kills. */
    private static final int CHANGES_PER_SECOND = 1_500;
    private static final int PARTITIONS = 3;
    private static final int CONSUMERS = 2;

    private static final Pattern STARTED = Pattern.compile("Apache Camel .* started in");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(180);
    private static final List<ChangeAudit.Table> TABLES = List.of(ChangeAudit.FLIGHT_STATE, ChangeAudit.FLIGHT_NOTE);

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everySourceChangeArrivesExactlyOnceThoughTheApplicationIsKilledAgainAndAgain() throws Exception {
        long seed = Long.getLong("chaos.seed", new SecureRandom().nextLong());
        // Half the seeds run with every speed-up on; drawn apart, so that a seed's other choices replay as before.
        boolean partitioned = Boolean.parseBoolean(System.getProperty("chaos.partitioned",
                String.valueOf(new Random(~seed).nextBoolean())));
        run(seed, partitioned);
    }

    /**
     * A seed whose kills leave the last run most of the changes to load (the runs before it are killed before Kafka
     * gives their loader any partition): past flightcdc.load.max-transaction-changes, while one topic of a partition
     * number was delivered far ahead of another. It loaded 57 source transactions in parts until TransactionBoundaries
     * held on for what Kafka had not delivered yet. The test checks that the case did happen.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aBacklogPastTheLimitOfChangesHeldIsLoadedInWholeTransactions() throws Exception {
        Path dir = run(85456030237088075L, true);
        try (var logs = Files.list(dir)) {
            assertThat(logs.filter(f -> f.getFileName().toString().matches("app-\\d+\\.log")).flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).as("the loader held on past the limit, waiting for what Kafka had not delivered yet")
                    .anyMatch(line -> line.contains("past flightcdc.load.max-transaction-changes"));
        }
    }

    /** One chaos run, with {@code seed}'s choices; returns its folder. */
    private Path run(long seed, boolean partitioned) throws Exception {
        LOG.info("Chaos seed {} (replay its choices with -Dchaos.seed={})", seed, seed);
        Random random = new Random(seed);
        LOG.info("Chaos layout: {}", partitioned ? PARTITIONS + " partitions per topic, " + CONSUMERS + " loader consumers"
                : "1 partition per topic, 1 loader consumer (-Dchaos.partitioned=true for the other)");
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "chaos")), "run-");
        long testStarted = System.nanoTime();

        try (EmbeddedPostgresServer source = EmbeddedPostgresServer.start(dir.resolve("source-postgres"), FreePorts.one())) {
            HistoryVerdict.prepare(source, TABLES);
            Application app = new Application(dir, source, FreePorts.pair(), partitioned);
            // Heartbeats every 500 ms confirm a position after the last change.
            CatchUp catchUp = CatchUps.of(source.jdbcUrl(), source.user(), source.password(), "flightcdc",
                    app.kafkaBootstrap(), "flightcdc-warehouse", TABLES.stream().map(t -> "flightcdc.public." + t.name()).toList());
            ChangeGenerator generator = new ChangeGenerator(source, random.nextLong(), CHANGES, MAX_TRANSACTION,
                    CHANGES_PER_SECOND);
            ExecutorService background = Executors.newSingleThreadExecutor();
            try {
                // The first run is not killed before Debezium has stored a position: a run that never did
                // would start over with a snapshot, which is right, but reads rows where the audit has changes.
                app.start().awaitLine(STARTED, START_TIMEOUT);
                catchUp.awaitStreaming(START_TIMEOUT);
                catchUp.awaitCaptured(CATCH_UP_TIMEOUT);
                Future<?> generation = background.submit(generator);

                for (int kill = 1; kill <= KILLS; kill++) {
                    killAtARandomMoment(app, random, kill > 1, generator);
                }

                app.start().awaitLine(STARTED, START_TIMEOUT);
                generation.get(CATCH_UP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                catchUp.awaitLoaded(CATCH_UP_TIMEOUT);
                long caughtUp = System.nanoTime();
                app.stop();

                int verified = app.verify();
                HistoryVerdict verdict = HistoryVerdict.of(source, dir.resolve("app/warehouse.duckdb"), TABLES);
                LOG.info("Chaos run: seed {} ({}), {} changes in {} transactions ({} bulk loads, {} over two tables), {} kills in {}"
                                + " runs, {} changes the capture emitted again after a crash were skipped by the loader; {} s in"
                                + " all, {} s to catch up after the last change; history: {} missing, {} extra, {} duplicated"
                                + " (lsn, op, key); source transactions loaded in parts: {}",
                        seed, partitioned ? "partitioned" : "one partition", generator.written(), generator.transactions(), generator.bulkLoads(),
                        generator.twoTableTransactions(), KILLS, app.runs(), app.replaysSkipped(),
                        seconds(System.nanoTime() - testStarted), seconds(caughtUp - generator.finishedAt()),
                        verdict.missing().size(), verdict.extra().size(), verdict.duplicatedPositions(),
                        verdict.loadedInParts().size());

                assertThat(generator.written()).isGreaterThanOrEqualTo(CHANGES);
                assertThat(generator.bulkLoads()).as("COPY bulk loads among the transactions").isPositive();
                assertThat(generator.twoTableTransactions()).as("transactions that wrote two tables").isPositive();
                assertThat(verified).as("flight-cdc verify: current state in DuckDB equals the source table").isZero();
                assertThat(verdict.missing()).as("source changes missing from the history (seed %d)", seed).isEmpty();
                assertThat(verdict.extra()).as("history rows beyond the source's changes (seed %d)", seed).isEmpty();
                assertThat(verdict.duplicatedPositions()).as("(lsn, op, key) loaded more than once").isZero();
                assertThat(verdict.loadedInParts()).as("source transactions (id → changes) loaded over several warehouse"
                        + " transactions (seed %d)", seed).isEmpty();
                assertThat(app.unexplainedSkips()).as("warnings of changes skipped that no restart explains").isEmpty();
                assertThat(dir.resolve("app/debezium-offsets.dat")).as("the position file, once taken over").doesNotExist();
                assertThat(dir.resolve("app/debezium-offsets.dat.moved-to-source")).exists();
                try (Connection c = source.connect()) {
                    assertThat(SourceSql.count(c, "SELECT count(*) FROM flightcdc.capture_position WHERE slot = 'flightcdc'"))
                            .as("the position kept in the source").isPositive();
                }
                return dir;
            } finally {
                generator.stop();
                background.shutdownNow();
                background.awaitTermination(30, TimeUnit.SECONDS);
                app.close();
            }
        }
    }

    /**
     * Most kills hit a run while it carries changes; one in four (never the first) hits it while it starts:
     * Kafka recovering its logs, DuckDB replaying its WAL, Debezium connecting.
     */
    private static void killAtARandomMoment(Application app, Random random, boolean mayHitStartup,
                                            ChangeGenerator generator) throws Exception {
        ChildJvm run = app.current().orElseGet(app::start);
        if (mayHitStartup && random.nextInt(4) == 0) {
            long delayMs = 500 + random.nextInt(4_000);
            Thread.sleep(delayMs);
            LOG.info("Kill: run {} while it starts, {} ms after launch; {} changes written", app.runs(), delayMs,
                    generator.written());
        } else {
            run.awaitLine(STARTED, START_TIMEOUT);
            long delayMs = 500 + random.nextInt(6_000);
            Thread.sleep(delayMs);
            LOG.info("Kill: run {} while it carries changes, {} ms after it started; {} changes written", app.runs(),
                    delayMs, generator.written());
        }
        app.kill();
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }

    /** The application's runs, one at a time, all on the same data folder, each with a log of its own. */
    private static final class Application implements AutoCloseable {

        private final Path dir;
        private final List<String> location;
        private final List<String> args;
        /** The source's password, as a user gives it: in the environment, not on the command line. */
        private final Map<String, String> environment;
        private final int kafkaPort;
        private ChildJvm current;
        private int runs;
        private final SkippedChanges skipped = new SkippedChanges();

        private static String tables() {
            return TABLES.stream().map(t -> "public." + t.name()).collect(java.util.stream.Collectors.joining(","));
        }

        Application(Path dir, EmbeddedPostgresServer source, int kafkaPort, boolean partitioned) {
            this.dir = dir;
            this.kafkaPort = kafkaPort;
            this.environment = Map.of("FLIGHTCDC_SOURCE_PASSWORD", source.password());
            this.location = List.of("--data-dir", dir.resolve("app").toString(), "--postgres-url", source.jdbcUrl());
            this.args = new ArrayList<>(List.of("run", "--no-poll", "--routes", dir.resolve("no-routes").toString(),
                    "-D", "flightcdc.kafka.embedded-port=" + kafkaPort,
                    "-D", "flightcdc.source.heartbeat-interval-ms=500",
                    "-D", "flightcdc.load.max-wait-ms=100",
                    "-D", "flightcdc.source.tables=" + tables()));
            if (partitioned) {
                args.addAll(List.of("-D", "flightcdc.kafka.partitions=" + PARTITIONS, "-D", "flightcdc.load.consumers=" + CONSUMERS));
            }
            args.addAll(location);
        }

        /** {@code flight-cdc verify} on the stopped application's data: 0 when the warehouse equals the source. */
        int verify() throws InterruptedException {
            List<String> verify = new ArrayList<>(List.of("-D", "flightcdc.source.tables=" + tables()));
            verify.addAll(location);
            return ChildJvm.verify(dir.resolve("verify.log"), verify, environment);
        }

        ChildJvm start() {
            runs++;
            List<String> runArgs = new ArrayList<>(args);
            if (runs > RUNS_WITH_POSITION_IN_FILE) {
                // From here on the position is kept in the source: the next run takes over the one the file holds.
                runArgs.addAll(List.of("-D", "flightcdc.capture.position-store=source"));
            }
            current = ChildJvm.flightCdc(dir.resolve("app-" + runs + ".log"), runArgs, environment);
            return current;
        }

        Optional<ChildJvm> current() {
            return Optional.ofNullable(current);
        }

        void kill() throws InterruptedException {
            current.kill();
            ended();
        }

        void stop() throws InterruptedException {
            current.stop();
            ended();
        }

        private void ended() {
            skipped.read(current.lines());
            current.close();
            current = null;
        }

        int runs() {
            return runs;
        }

        long replaysSkipped() {
            return skipped.replays();
        }

        List<String> unexplainedSkips() {
            return skipped.unexplained();
        }

        String kafkaBootstrap() {
            return "127.0.0.1:" + kafkaPort;
        }

        @Override
        public void close() {
            if (current != null) {
                current.close();
            }
        }
    }
}
