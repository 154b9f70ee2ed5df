package e2e;

import static org.assertj.core.api.Assertions.assertThat;

import embedded.EmbeddedKafkaBroker;
import embedded.EmbeddedPostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * A standby that takes over: two instances of the real application, each in a JVM of its own, run with the same
 * settings and failover on, against a PostgreSQL and a Kafka broker that outlive them, and one DuckDB file. One leads,
 * the other stands by. While a busy source writes (COPY bulk loads and two-table transactions among its changes), the
 * leader is SIGKILLed, the standby must take over within 30 s, a new standby is started beside it, and the new leader
 * is SIGKILLed in turn; the source writes on until it has made 35,000 changes, and a few thousand after the last kill. At the end {@code flight-cdc verify} must find the warehouse equal to the source,
 * and its history must hold every change a trigger in the source recorded, once.
 *
 * <p>{@code -Dfailover.seed=N} replays a run's choices of moments. Logs: target/failover/run-.../instance-N.log.
 */
class FailoverEndToEndTest {

    private static final Logger LOG = LoggerFactory.getLogger("failover");

    private static final int CHANGES = 35_000;
    private static final int MAX_TRANSACTION = 500;
    private static final int CHANGES_PER_SECOND = 1_000;
    private static final int KILLS = 2;
    private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(30);

    private static final Pattern STARTED = Pattern.compile("Apache Camel .* started in");
    private static final Pattern STANDING_BY = Pattern.compile("Standing by: process \\d+ \\(flight-cdc leader ");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(180);
    private static final List<ChangeAudit.Table> TABLES = List.of(ChangeAudit.FLIGHT_STATE, ChangeAudit.FLIGHT_NOTE);

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void theStandbyTakesOverWithinThirtySecondsOfEachKillAndEveryChangeArrivesOnce() throws Exception {
        long seed = Long.getLong("failover.seed", new SecureRandom().nextLong());
        LOG.info("Failover seed {} (replay its choices with -Dfailover.seed={})", seed, seed);
        Random random = new Random(seed);
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "failover")), "run-");

        try (EmbeddedPostgresServer source = EmbeddedPostgresServer.start(dir.resolve("source-postgres"), FreePorts.one());
             EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), FreePorts.pair());
             Instances instances = new Instances(dir, source, kafka.bootstrapServers())) {
            HistoryVerdict.prepare(source, TABLES);
            CatchUp catchUp = CatchUps.of(source.jdbcUrl(), source.user(), source.password(), "flightcdc",
                    kafka.bootstrapServers(), "flightcdc-warehouse",
                    TABLES.stream().map(t -> "flightcdc.public." + t.name()).toList());
            // It writes on until told to stop: at least CHANGES, and some after the last kill.
            ChangeGenerator generator = new ChangeGenerator(source, random.nextLong(), 10 * CHANGES, MAX_TRANSACTION,
                    CHANGES_PER_SECOND);
            ExecutorService background = Executors.newSingleThreadExecutor();
            try {
                // Both at once: whichever takes the lock first leads.
                List<ChildJvm> both = List.of(instances.start(), instances.start());
                ChildJvm leader = instances.awaitLeader(both, START_TIMEOUT);
                ChildJvm standby = both.get(leader == both.get(0) ? 1 : 0);
                standby.awaitLine(STANDING_BY, START_TIMEOUT);
                // A standby answers health checks before its pipeline runs: alive, not ready, and why.
                assertThat(instances.health(standby, "/observe/health/live").statusCode()).isEqualTo(200);
                HttpResponse<String> ready = instances.health(standby, "/observe/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(ready.body()).contains("standing by: process").contains("flight-cdc leader");
                HttpResponse<String> meters = instances.health(standby, "/observe/metrics");
                assertThat(meters.statusCode()).isEqualTo(200);
                assertThat(meters.body()).as("the standby's meters").contains("jvm_memory_used_bytes");
                catchUp.awaitStreaming(START_TIMEOUT);
                catchUp.awaitCaptured(CATCH_UP_TIMEOUT);
                Future<?> generation = background.submit(generator);

                List<Long> takeoverMillis = new ArrayList<>();
                List<Long> writtenAtKills = new ArrayList<>();
                for (int kill = 1; kill <= KILLS; kill++) {
                    // The first kill once a tenth to a fifth of the changes are written, the next ones soon after a
                    // standby is back.
                    if (kill == 1) {
                        long at = CHANGES / 10 + random.nextInt(CHANGES / 10);
                        while (generator.written() < at) {
                            Thread.sleep(50);
                        }
                    } else {
                        Thread.sleep(2_000 + random.nextInt(3_000));
                    }
                    writtenAtKills.add(generator.written());
                    LOG.info("Kill {}: the leader, {} changes written", kill, generator.written());
                    long killed = System.nanoTime();
                    leader.kill();
                    standby.awaitLine(STARTED, TAKEOVER_LIMIT);
                    takeoverMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
                    LOG.info("Kill {}: the standby took over in {} ms", kill, takeoverMillis.get(kill - 1));
                    leader = standby;
                    standby = instances.start();
                    if (kill < KILLS) {
                        standby.awaitLine(STANDING_BY, START_TIMEOUT);
                    }
                }

                long enough = Math.max(CHANGES, writtenAtKills.get(KILLS - 1) + CHANGES / 10);
                while (generator.written() < enough && !generation.isDone()) {
                    Thread.sleep(50);
                }
                generator.stop();
                generation.get(CATCH_UP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                standby.awaitLine(STANDING_BY, START_TIMEOUT);
                catchUp.awaitLoaded(CATCH_UP_TIMEOUT);
                standby.stop();
                leader.stop();
                List<String> stopping = leader.lines();
                assertThat(stopping).as("the leader lets go of the lead last, once its stages have stopped")
                        .anyMatch(line -> line.contains("Let go of the lock of slot flightcdc"));
                assertThat(stopping.stream().filter(line -> line.contains("Let go of the lock")).findFirst()
                        .map(stopping::indexOf).orElseThrow())
                        .isGreaterThan(stopping.indexOf(stopping.stream().filter(line -> line.contains("Warehouse closed"))
                                .findFirst().orElseThrow()));

                int verified = instances.verify();
                HistoryVerdict verdict = HistoryVerdict.of(source, dir.resolve("app/warehouse.duckdb"), TABLES);
                LOG.info("Failover run: seed {}, {} changes in {} transactions ({} bulk loads, {} over two tables); kills at"
                                + " {} changes written; takeovers in {} ms; history: {} missing, {} extra, {} duplicated"
                                + " (lsn, op, key); source transactions loaded in parts: {}",
                        seed, generator.written(), generator.transactions(), generator.bulkLoads(),
                        generator.twoTableTransactions(), writtenAtKills, takeoverMillis, verdict.missing().size(),
                        verdict.extra().size(), verdict.duplicatedPositions(), verdict.loadedInParts().size());

                assertThat(generator.written()).isGreaterThanOrEqualTo(CHANGES);
                assertThat(generator.bulkLoads()).as("COPY bulk loads among the transactions").isPositive();
                assertThat(verified).as("flight-cdc verify: current state in DuckDB equals the source table").isZero();
                assertThat(verdict.missing()).as("source changes missing from the history (seed %d)", seed).isEmpty();
                assertThat(verdict.extra()).as("history rows beyond the source's changes (seed %d)", seed).isEmpty();
                assertThat(verdict.duplicatedPositions()).as("(lsn, op, key) loaded more than once").isZero();
                assertThat(verdict.loadedInParts()).as("source transactions loaded over several warehouse transactions"
                        + " (seed %d)", seed).isEmpty();
                assertThat(instances.unexplainedSkips()).as("warnings of changes skipped that no restart explains").isEmpty();
            } finally {
                generator.stop();
                background.shutdownNow();
                background.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The instances started so far, on the same settings and data folder, each with a log of its own. */
    private static final class Instances implements AutoCloseable {

        private final Path dir;
        private final List<String> location;
        private final List<String> args;
        /** The source's password, as a user gives it: in the environment, not on the command line. */
        private final Map<String, String> environment;
        private final List<ChildJvm> started = new ArrayList<>();
        private final Map<ChildJvm, Integer> httpPorts = new HashMap<>();

        private static String tables() {
            return TABLES.stream().map(t -> "public." + t.name()).collect(Collectors.joining(","));
        }

        Instances(Path dir, EmbeddedPostgresServer source, String kafka) {
            this.dir = dir;
            this.environment = Map.of("FLIGHTCDC_SOURCE_PASSWORD", source.password());
            this.location = List.of("--data-dir", dir.resolve("app").toString(), "--postgres-url", source.jdbcUrl());
            this.args = new ArrayList<>(List.of("run", "--no-poll", "--routes", dir.resolve("no-routes").toString(),
                    "--kafka", kafka,
                    "-D", "flightcdc.failover.enabled=true",
                    "-D", "flightcdc.capture.position-store=source",
                    "-D", "flightcdc.source.heartbeat-interval-ms=500",
                    "-D", "flightcdc.load.max-wait-ms=100",
                    "-D", "flightcdc.source.tables=" + tables()));
            args.addAll(location);
        }

        /** The one of {@code candidates} that leads, once its pipeline has started. */
        ChildJvm awaitLeader(List<ChildJvm> candidates, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ChildJvm candidate : candidates) {
                    if (candidate.lines().stream().anyMatch(line -> STARTED.matcher(line).find())) {
                        return candidate;
                    }
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("No instance started its pipeline within " + timeout.toSeconds() + " s");
        }

        ChildJvm start() {
            int httpPort = FreePorts.one();
            List<String> withPort = new ArrayList<>(args);
            withPort.addAll(List.of("-D", "flightcdc.http.port=" + httpPort));
            ChildJvm instance = ChildJvm.flightCdc(dir.resolve("instance-" + (started.size() + 1) + ".log"), withPort,
                    environment);
            started.add(instance);
            httpPorts.put(instance, httpPort);
            return instance;
        }

        /** What {@code instance}'s HTTP server answers at {@code path}. */
        HttpResponse<String> health(ChildJvm instance, String path) throws Exception {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + httpPorts.get(instance) + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        /** {@code flight-cdc verify} once every instance has stopped: 0 when the warehouse equals the source. */
        int verify() throws InterruptedException {
            List<String> verify = new ArrayList<>(List.of("-D", "flightcdc.source.tables=" + tables()));
            verify.addAll(location);
            return ChildJvm.verify(dir.resolve("verify.log"), verify, environment);
        }

        List<String> unexplainedSkips() {
            SkippedChanges skipped = new SkippedChanges();
            started.forEach(instance -> skipped.read(instance.lines()));
            return skipped.unexplained();
        }

        @Override
        public void close() {
            started.forEach(ChildJvm::close);
        }
    }
}
