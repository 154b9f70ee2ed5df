package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cli.FlightCdc;
import embedded.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import source.SourceDatabase;
import warehouse.QueryRows;

/**
 * The direct snapshot (flightcdc.capture.snapshot=direct) of a table that clients write all along, and of a
 * partitioned one, over topics of one partition and of two (each row in its key's partition), DuckDB reading each range
 * as PostgreSQL's CSV: the application is killed while the first one is loading, and the next start takes it again.
 * Every change must arrive exactly once: per key, the history holds one snapshot row, at the slot's LSN, and then exactly
 * the changes the source's audit trigger recorded after the one that row shows (ChangeAudit). Each write gives the
 * row's callsign a value no other write gives, so that the snapshot row tells which change it saw last.
 */
class DirectSnapshotEndToEndTest {

    private static final Pattern BEGINS = Pattern.compile("Direct snapshot of .* begins at LSN");
    private static final Pattern DONE = Pattern.compile("Direct snapshot done");
    private static final Pattern SLOT_DROPPED = Pattern.compile("Dropping replication slot 'flightcdc'");
    private static final int ROWS = 150_000;
    private static final String TABLES = "public.flight_state,public.flight_leg";

    @ParameterizedTest(name = "over {0} partition(s)")
    @ValueSource(ints = {1, 2})
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aDirectSnapshotCutOffAndTakenAgainWhileClientsWriteLoadsEveryChangeOnce(int partitions) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), "direct-snapshot-");
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one())) {
            try (SourceDatabase source = SourceDatabase.of(postgres); Connection c = postgres.connect()) {
                source.migrate();
                ChangeAudit.install(c, ChangeAudit.FLIGHT_STATE);
                // A partitioned table, keyed by two integer columns: read partition by partition, and its rows' Kafka
                // partitions worked out from keys of two fields.
                try (Statement s = c.createStatement()) {
                    s.execute("""
                            CREATE TABLE flight_leg (id bigint, leg integer, note text, PRIMARY KEY (id, leg)) PARTITION BY RANGE (id);
                            CREATE TABLE flight_leg_low PARTITION OF flight_leg FOR VALUES FROM (0) TO (500);
                            CREATE TABLE flight_leg_rest PARTITION OF flight_leg DEFAULT;
                            INSERT INTO flight_leg SELECT g / 3, g % 3, 'leg ' || g FROM generate_series(0, 2999) g""");
                }
                // As users load a table: COPY.
                SourceSql.copyIn(c, "COPY flight_state (icao24, callsign, last_contact) FROM STDIN WITH (FORMAT csv)",
                        IntStream.range(0, ROWS).mapToObj(i -> String.format(Locale.ROOT, "r%06d,S%06d,2026-12-02 10:00:00+00%n",
                                i, i)).collect(Collectors.joining()));
            }
            AppRun app = AppRun.of(dir, postgres);
            List<String> run = new ArrayList<>(app.run());
            int httpPort = FreePorts.one();
            run.addAll(List.of("-D", "flightcdc.capture.snapshot=direct", "-D", "flightcdc.kafka.partitions=" + partitions,
                    "-D", "flightcdc.load.consumers=" + partitions, "-D", "flightcdc.source.tables=" + TABLES,
                    "-D", "flightcdc.http.port=" + httpPort));
            try (Writers writers = Writers.start(postgres)) {
                try (ChildJvm first = ChildJvm.flightCdc(dir.resolve("run-1.log"), run, app.environment())) {
                    first.awaitLine(BEGINS, Duration.ofMinutes(2));
                    // Before Camel's server runs: alive, so that an orchestrator keeps it; not ready, and how far.
                    assertThat(health(httpPort, "/observe/health/live")).isEqualTo("200 {\"status\":\"UP\"}");
                    assertThat(health(httpPort, "/observe/health/ready")).startsWith("503 ").contains("Direct snapshot");
                    // ... and the meters: how far the snapshot is (NaN until its rows are counted), the JVM's memory.
                    assertThat(health(httpPort, "/observe/metrics")).startsWith("200 ")
                            .containsPattern("\nflightcdc_snapshot_progress_ratio (NaN|0\\.[0-9E-]+)\n")
                            .contains("jvm_memory_used_bytes");
                    // DuckDB reads the CSV of the table's few ranges in about a second.
                    Thread.sleep(300);
                    first.kill();
                    assertThat(first.lines()).as("killed before the snapshot was done")
                            .noneMatch(line -> DONE.matcher(line).find());
                }
                try (ChildJvm second = ChildJvm.flightCdc(dir.resolve("run-2.log"), run, app.environment())) {
                    second.awaitLine(DONE, Duration.ofMinutes(3));
                    assertThat(second.lines()).as("the cut-off snapshot's slot dropped")
                            .anyMatch(line -> SLOT_DROPPED.matcher(line).find());
                    assertThat(second.lines()).as("the ranges as CSV")
                            .anyMatch(line -> BEGINS.matcher(line).find() && line.contains("into CSV files"));
                    Thread.sleep(2_000);
                    writers.stop();
                    CatchUps.of(postgres.jdbcUrl(), postgres.user(), postgres.password(), "flightcdc", app.kafka(),
                            "flightcdc-warehouse", Set.of("flightcdc.public.flight_state", "flightcdc.public.flight_leg"))
                            .awaitLoaded(Duration.ofMinutes(2));
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(health(httpPort,
                            "/observe/health/ready")).as("Camel's server on the same port, after it").startsWith("200 "));
                    second.stop();
                }
                assertThat(writers.changes()).as("changes written while the snapshots ran").isGreaterThan(100);
            }

            List<String> verify = new ArrayList<>(List.of("verify"));
            verify.addAll(app.location());
            verify.addAll(List.of("--postgres-user", postgres.user(), "-D", "flightcdc.source.password=" + postgres.password(),
                    "-D", "flightcdc.source.tables=" + TABLES));
            StringWriter out = new StringWriter();
            int verified = FlightCdc.commandLine().setOut(new PrintWriter(out, true)).execute(verify.toArray(String[]::new));
            assertThat(out.toString()).as("verify: the warehouse's current state equals the source")
                    .contains("public.flight_state: source", "public.flight_leg: source 3,000 rows, warehouse 3,000 rows")
                    .doesNotContain("DIFFER");
            assertThat(verified).isZero();
            assertEveryChangeOnce(postgres, dir.resolve("app/warehouse.duckdb"));
            assertLegsKeptTheirPartitions(dir.resolve("app/warehouse.duckdb"), partitions);
            assertThat(dir.resolve("app/warehouse.duckdb.snapshot")).as("the CSV files, the cut-off run's too").doesNotExist();
        }
    }

    private static String health(int port, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    /** Per key: the snapshot's row, then exactly the audited changes after the one it shows. */
    private static void assertEveryChangeOnce(EmbeddedPostgresServer postgres, Path duckdb) throws SQLException {
        Map<String, List<String>> audited = new LinkedHashMap<>();
        try (Connection c = postgres.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT key, op, payload FROM change_audit WHERE table_name = 'flight_state'"
                     + " AND op <> 't' ORDER BY seq")) {
            while (rs.next()) {
                audited.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2) + " " + rs.getString(3));
            }
        }
        Map<String, String> snapshotRows = new HashMap<>();
        Map<String, List<String>> streamed = new HashMap<>();
        Map<String, Integer> partitions = new HashMap<>();
        List<String> problems = new ArrayList<>();
        Properties readOnly = new Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        try (Connection warehouse = DriverManager.getConnection("jdbc:duckdb:" + duckdb.toAbsolutePath(), readOnly);
             Statement s = warehouse.createStatement()) {
            long snapshotLsns;
            try (ResultSet rs = s.executeQuery("SELECT count(DISTINCT _lsn) FROM flight_state_history WHERE _op = 'r'")) {
                rs.next();
                snapshotLsns = rs.getLong(1);
            }
            assertThat(snapshotLsns).as("the cut-off snapshot's rows are gone: one snapshot LSN").isEqualTo(1);
            try (ResultSet rs = s.executeQuery("SELECT icao24, _op, callsign, _kafka_partition, _kafka_offset"
                    + " FROM flight_state_history WHERE _op <> 't' ORDER BY _kafka_partition, _kafka_offset")) {
                while (rs.next()) {
                    String key = rs.getString(1);
                    Integer earlier = partitions.put(key, rs.getInt(4));
                    if (earlier != null && earlier != rs.getInt(4)) {
                        problems.add(key + " in partitions " + earlier + " and " + rs.getInt(4));
                    }
                    if (rs.getString(2).equals("r")) {
                        assertThat(rs.getLong(5)).as("a snapshot row's offset").isNegative();
                        if (snapshotRows.put(key, rs.getString(3)) != null || streamed.containsKey(key)) {
                            problems.add(key + ": a second snapshot row, or one after its changes");
                        }
                    } else {
                        streamed.computeIfAbsent(key, k -> new ArrayList<>()).add(rs.getString(2) + " " + rs.getString(3));
                    }
                }
            }
        }
        for (Map.Entry<String, List<String>> entry : audited.entrySet()) {
            String key = entry.getKey();
            List<String> changes = entry.getValue();
            List<String> loaded = streamed.getOrDefault(key, List.of());
            String seen = snapshotRows.get(key);
            List<String> expected;
            if (seen != null) {
                int last = -1;
                for (int i = 0; i < changes.size(); i++) {
                    if (!changes.get(i).startsWith("d ") && changes.get(i).endsWith(" " + seen)) {
                        last = i;
                    }
                }
                if (last < 0) {
                    problems.add(key + ": the snapshot row shows " + seen + ", which no change of it wrote");
                    continue;
                }
                expected = changes.subList(last + 1, changes.size());
            } else if (loaded.isEmpty() && changes.get(changes.size() - 1).startsWith("d ")) {
                expected = List.of(); // deleted before the snapshot's LSN
            } else {
                expected = changes; // made after it
            }
            if (!loaded.equals(expected)) {
                problems.add(key + ": loaded " + loaded + " after the snapshot's " + seen + ", expected " + expected);
            }
        }
        streamed.keySet().stream().filter(key -> !audited.containsKey(key))
                .forEach(key -> problems.add(key + ": loaded, never written"));
        assertThat(problems).as("keys whose changes did not arrive exactly once").isEmpty();
        assertThat(snapshotRows).as("rows read by the snapshot").hasSizeGreaterThan(ROWS / 2);
    }

    /** flight_leg: each key's snapshot row and its updates in one Kafka partition, and some keys have both. */
    private static void assertLegsKeptTheirPartitions(Path duckdb, int partitions) throws SQLException {
        Properties readOnly = new Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        try (Connection warehouse = DriverManager.getConnection("jdbc:duckdb:" + duckdb.toAbsolutePath(), readOnly)) {
            assertThat(QueryRows.of(warehouse, "SELECT count(*) FROM flight_leg_history WHERE _op = 'r'"))
                    .containsExactly("3000");
            assertThat(QueryRows.of(warehouse, "SELECT id, leg FROM flight_leg_history GROUP BY id, leg"
                    + " HAVING count(DISTINCT _kafka_partition) > 1")).as("keys in two partitions").isEmpty();
            assertThat(QueryRows.of(warehouse, "SELECT count(DISTINCT (id, leg)) FROM flight_leg_history WHERE _op = 'u'"
                    + " AND (id, leg) IN (SELECT (id, leg) FROM flight_leg_history WHERE _op = 'r')").get(0))
                    .as("keys with a snapshot row and updates").isNotEqualTo("0");
            assertThat(QueryRows.of(warehouse, "SELECT count(DISTINCT _kafka_partition) FROM flight_leg_history"))
                    .containsExactly(String.valueOf(partitions));
        }
    }

    /**
     * Two clients writing flight_state until stopped, each on keys of its own: multi-row updates of the loaded rows,
     * inserts, deletes and key updates in transactions, and COPYs of new rows. Every value written to callsign is new.
     */
    private static final class Writers implements AutoCloseable {

        private final ExecutorService clients = Executors.newFixedThreadPool(2);
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final AtomicLong payloads = new AtomicLong();
        private final AtomicLong changes = new AtomicLong();
        private final List<Future<?>> running = new ArrayList<>();

        static Writers start(EmbeddedPostgresServer postgres) {
            Writers writers = new Writers();
            for (int client = 0; client < 2; client++) {
                int own = client;
                writers.running.add(writers.clients.submit(() -> {
                    try (Connection c = postgres.connect()) {
                        writers.write(c, own);
                    }
                    return null;
                }));
            }
            return writers;
        }

        private void write(Connection c, int client) throws Exception {
            for (int round = 0; !stopped.get(); round++) {
                // Keys of the loaded rows this client owns: those whose number is client modulo 2.
                int a = ThreadLocalRandom.current().nextInt(ROWS / 2) * 2 + client;
                int b = ThreadLocalRandom.current().nextInt(ROWS / 2) * 2 + client;
                String fresh = "n" + client + "-" + round;
                if (round % 25 == 24) {
                    long first = payloads.addAndGet(50) - 50;
                    changes.addAndGet(SourceSql.copyIn(c, "COPY flight_state (icao24, callsign, last_contact) FROM STDIN"
                            + " WITH (FORMAT csv)", IntStream.range(0, 50).mapToObj(i -> String.format(Locale.ROOT,
                            "%s-%d,W%d,2026-12-02 11:00:00+00%n", fresh, i, first + i)).collect(Collectors.joining())));
                    continue;
                }
                if (round % 3 == 0) {
                    changes.addAndGet(SourceSql.update(c, "UPDATE flight_leg SET note = 'round " + round + "' WHERE id = "
                            + ThreadLocalRandom.current().nextInt(1000)));
                }
                final int thisRound = round;
                changes.addAndGet(SourceSql.inTransaction(c, () -> {
                    long made = SourceSql.update(c, String.format(Locale.ROOT, "UPDATE flight_state SET callsign = 'W' ||"
                            + " (%d + (icao24 = 'r%06d')::int), velocity = %d WHERE icao24 IN ('r%06d', 'r%06d')",
                            payloads.addAndGet(2) - 2, b, thisRound, a, b));
                    made += SourceSql.update(c, String.format(Locale.ROOT, "INSERT INTO flight_state (icao24, callsign,"
                            + " last_contact) VALUES ('%s', 'W%d', now())", fresh, payloads.getAndIncrement()));
                    if (thisRound % 5 == 4) {
                        made += SourceSql.update(c, String.format(Locale.ROOT,
                                "DELETE FROM flight_state WHERE icao24 = 'r%06d'", (a + 4) % ROWS));
                    }
                    if (thisRound % 7 == 6) {
                        // A key update: a delete of the old key and a create of the new one.
                        made += 2 * SourceSql.update(c, String.format(Locale.ROOT,
                                "UPDATE flight_state SET icao24 = 'k%s' WHERE icao24 = '%s'", fresh, fresh));
                    }
                    return made;
                }));
                Thread.sleep(5);
            }
        }

        void stop() throws Exception {
            stopped.set(true);
            for (Future<?> client : running) {
                client.get(1, TimeUnit.MINUTES);
            }
        }

        long changes() {
            return changes.get();
        }

        @Override
        public void close() throws Exception {
            stopped.set(true);
            clients.shutdown();
            clients.awaitTermination(1, TimeUnit.MINUTES);
        }
    }
}
