package e2e;

import static org.assertj.core.api.Assertions.assertThat;

import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/smoke.sh, the script GitHub runs against the compose stack, run here against what this machine has: a real
 * PostgreSQL set up by the compose file's own init script (docker/postgres-init.sh: the poll's tables, the smoke table,
 * the role of least privilege) that takes TLS connections only, a Kafka broker in a process of its own that takes
 * clients only over SASL_SSL, and the pipeline in a process of its own, in external mode, configured by environment
 * variables alone as the container is, keeping its position in the source. The script must pass, and, checked apart
 * from it, every change it made must be in the warehouse's history exactly once: a trigger in the source records each.
 */
class SmokeScriptEndToEndTest {

    private static final String ROLE = "flightcdc";
    private static final String ROLE_PASSWORD = "smoke's \"role\" secret";
    private static final ChangeAudit.Table SMOKE = new ChangeAudit.Table("smoke_change", List.of("id"), "note");
    private static final Pattern STARTED = Pattern.compile("Apache Camel .* started in");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);

    @Test
    void theSmokeScriptPassesAgainstSecuredServersAndEachOfItsChangesArrivesExactlyOnce() throws Exception {
        assertThat(Psql.installed()).as(Psql.MISSING).isPresent();
        Path dir = PipelineTestSupport.newDirectory("smoke-");
        TestCertificates certificates = TestCertificates.make(dir.resolve("certificates"), "flight-cdc smoke authority");
        int port = FreePorts.one();
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), port)) {
            TlsOnlyPostgres.serve(postgres, dir.resolve("postgres"), certificates);
            // psql's way to a server: libpq's variables, as the script takes them too.
            Map<String, String> libpq = Map.of("PGHOST", "127.0.0.1", "PGPORT", String.valueOf(port),
                    "PGUSER", postgres.user(), "PGPASSWORD", postgres.password(), "PGDATABASE", "postgres",
                    "PGSSLMODE", "verify-full", "PGSSLROOTCERT", certificates.authorityPem().toString());
            Map<String, String> init = new LinkedHashMap<>(libpq);
            init.putAll(Map.of("POSTGRES_USER", postgres.user(), "POSTGRES_DB", "postgres", "FLIGHTCDC_SQL_DIR", "sql",
                    "FLIGHTCDC_SOURCE_USER", ROLE, "FLIGHTCDC_SOURCE_PASSWORD", ROLE_PASSWORD));
            assertThat(bash(dir.resolve("init.log"), init, Duration.ofMinutes(1), "docker/postgres-init.sh"))
                    .as(Files.readString(dir.resolve("init.log"))).isZero();
            try (Connection c = TlsOnlyPostgres.connect(postgres, certificates, "verify-full")) {
                assertThat(SourceSql.count(c, "SELECT count(*) FROM pg_roles WHERE rolname = '" + ROLE + "' AND rolreplication"
                        + " AND NOT rolsuper")).isEqualTo(1);
                ChangeAudit.install(c, SMOKE);
            }

            try (SecuredKafkaBroker kafka = SecuredKafkaBroker.start(dir.resolve("kafka"), certificates)) {
                Path data = dir.resolve("pipeline-data");
                Map<String, String> settings = containerSettings(postgres, kafka, certificates, data);
                try (ChildJvm pipeline = ChildJvm.flightCdc(dir.resolve("pipeline.log"), List.of("run"), settings)) {
                    pipeline.awaitLine(STARTED, Duration.ofMinutes(2));

                    Map<String, String> smoke = new LinkedHashMap<>(settings);
                    smoke.putAll(libpq);
                    smoke.put("SMOKE_PSQL", "psql");
                    smoke.put("SMOKE_FLIGHT_CDC", script(dir.resolve("flight-cdc"), "exec '" + javaBinary() + "' -Xmx512m -cp '"
                            + System.getProperty("java.class.path") + "' cli.FlightCdc \"$@\""));
                    smoke.put("SMOKE_STOP_PIPELINE", script(dir.resolve("stop-pipeline"), "kill -TERM " + pipeline.pid()
                            + "\nwhile kill -0 " + pipeline.pid() + " 2>/dev/null; do sleep 0.2; done"));
                    smoke.put("SMOKE_DUCKDB", data.resolve("warehouse.duckdb").toString());
                    smoke.put("SMOKE_TIMEOUT", "90");

                    Path log = dir.resolve("smoke.log");
                    assertThat(bash(log, smoke, SCRIPT_TIMEOUT, "docker/smoke.sh"))
                            .as("docker/smoke.sh exit code; its output:\n%s\nthe pipeline's last lines:\n%s",
                                    Files.readString(log), pipeline.tail(30)).isZero();
                    assertThat(pipeline.isAlive()).as("the pipeline, stopped by the script").isFalse();
                    assertThat(Files.readString(log)).contains("public.smoke_change: source").contains("MATCH")
                            .contains("smoke: passed");

                    try (Connection source = TlsOnlyPostgres.connect(postgres, certificates, "verify-full");
                         Connection warehouse = duckDb(data.resolve("warehouse.duckdb"))) {
                        Map<String, Long> recorded = ChangeAudit.recorded(source, SMOKE, "");
                        Map<String, Long> loaded = ChangeAudit.loaded(warehouse, SMOKE, "");
                        // A thousand rows inserted, a thousand copied, then updates, deletes, keys changed, four clients.
                        assertThat(ChangeAudit.size(recorded)).isGreaterThan(3_000);
                        assertThat(ChangeAudit.difference(recorded, loaded)).as("changes made but not loaded").isEmpty();
                        assertThat(ChangeAudit.difference(loaded, recorded)).as("changes loaded but not made, or twice").isEmpty();
                        assertThat(SourceSql.count(warehouse, "SELECT count(*) FROM smoke_change_history WHERE note = 'rolled back'"))
                                .as("changes of the rolled back transaction").isZero();
                    }
                }
            }
        }
    }

    /** The settings the compose file gives the container, as environment variables, for these servers. */
    private static Map<String, String> containerSettings(EmbeddedPostgresServer postgres, SecuredKafkaBroker kafka,
                                                         TestCertificates certificates, Path data) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FLIGHTCDC_DATA_DIR", data.toString());
        env.put("FLIGHTCDC_SOURCE_JDBC_URL", postgres.jdbcUrl());
        env.put("FLIGHTCDC_SOURCE_USER", ROLE);
        env.put("FLIGHTCDC_SOURCE_PASSWORD", ROLE_PASSWORD);
        env.put("FLIGHTCDC_SOURCE_SSLMODE", "verify-full");
        env.put("FLIGHTCDC_SOURCE_SSLROOTCERT", certificates.authorityPem().toString());
        env.put("FLIGHTCDC_SOURCE_TABLES", "public.flight_state,public.smoke_change");
        // catch-up waits for a transaction after the last change: the heartbeat's, when nothing else writes.
        env.put("FLIGHTCDC_SOURCE_HEARTBEAT_INTERVAL_MS", "500");
        env.put("FLIGHTCDC_CAPTURE_POSITION_STORE", "source");
        // The simulator's traffic would only slow this machine down: the script writes a table of its own.
        env.put("FLIGHTCDC_OPENSKY_POLL_ENABLED", "false");
        env.put("FLIGHTCDC_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("FLIGHTCDC_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("FLIGHTCDC_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        env.put("FLIGHTCDC_KAFKA_SASL_USERNAME", SecuredKafkaBroker.USER);
        env.put("FLIGHTCDC_KAFKA_SASL_PASSWORD", SecuredKafkaBroker.PASSWORD);
        env.put("FLIGHTCDC_KAFKA_SSL_TRUSTSTORE_LOCATION", certificates.truststore().toString());
        env.put("FLIGHTCDC_KAFKA_SSL_TRUSTSTORE_PASSWORD", certificates.storePassword());
        env.put("FLIGHTCDC_KAFKA_SSL_KEYSTORE_LOCATION", certificates.clientKeystore().toString());
        env.put("FLIGHTCDC_KAFKA_SSL_KEYSTORE_PASSWORD", certificates.storePassword());
        env.put("FLIGHTCDC_KAFKA_SSL_KEY_PASSWORD", certificates.storePassword());
        return env;
    }

    /** Runs {@code bash script} from the project's folder with {@code env} added; returns its exit code. */
    private static int bash(Path log, Map<String, String> env, Duration timeout, String script) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", script).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(script + " still runs after " + timeout.toSeconds() + " s; its output:\n"
                        + Files.readString(log));
            }
            return process.exitValue();
        } finally {
            // The script's own children (psql, a flight-cdc JVM) go with it.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** An executable shell script with {@code body}; returns its path. */
    private static String script(Path path, String body) throws Exception {
        Files.writeString(path, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        return path.toString();
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Connection duckDb(Path file) throws Exception {
        Properties readOnly = new Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), readOnly);
    }
}
