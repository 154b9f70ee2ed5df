package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The pipeline against servers secured as managed ones are: a PostgreSQL that takes TLS connections only
 * (verify-full, against the test's own certificate authority) and a Kafka broker, in a process of its own,
 * that takes clients only over TLS with a SCRAM-SHA-512 login and a client certificate. Changes made the
 * ways users make them (COPY, bulk statements, two clients at once) arrive in the warehouse exactly once;
 * every connection to PostgreSQL, the replication one included, is encrypted; and every Kafka client,
 * the users' YAML route included, logs in. A wrong password or an unknown authority stops the start with
 * what to fix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecuredServicesEndToEndTest extends PipelineTestSupport {

    private static final Path DIR;
    private static final TestCertificates CERTIFICATES;
    private static final EmbeddedPostgresServer POSTGRES;
    private static final SecuredKafkaBroker KAFKA;

    static {
        DIR = newDirectory("secured-");
        CERTIFICATES = TestCertificates.make(DIR.resolve("certificates"), "flight-cdc test authority");
        POSTGRES = EmbeddedPostgresServer.start(DIR.resolve("their-postgres"), FreePorts.one());
        try {
            TlsOnlyPostgres.serve(POSTGRES, DIR.resolve("their-postgres"), CERTIFICATES);
            KAFKA = SecuredKafkaBroker.start(DIR.resolve("their-kafka"), CERTIFICATES);
        } catch (Exception e) {
            try {
                POSTGRES.close();
            } catch (java.io.IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new ExceptionInInitializerError(e);
        }
    }

    private static Connection connect(String sslMode) throws SQLException {
        return TlsOnlyPostgres.connect(POSTGRES, CERTIFICATES, sslMode);
    }

    @AfterAll
    void stopThePipelineThenTheirServices() throws Exception {
        context.stop();
        KAFKA.close();
        POSTGRES.close();
    }

    @Override
    protected Properties pipelineSettings() {
        return settings(DIR.resolve("pipeline"), securedSettings(SecuredKafkaBroker.PASSWORD, CERTIFICATES).toArray(String[]::new));
    }

    /** The settings a user gives for these servers, as key, value, key, value. */
    private static List<String> securedSettings(String kafkaPassword, TestCertificates trusted) {
        return List.of(
                "flightcdc.source.jdbc-url", POSTGRES.jdbcUrl(),
                "flightcdc.source.password", POSTGRES.password(),
                "flightcdc.source.sslmode", "verify-full",
                "flightcdc.source.sslrootcert", trusted.authorityPem().toString(),
                "flightcdc.kafka.bootstrap-servers", KAFKA.bootstrapServers(),
                "flightcdc.kafka.security-protocol", "SASL_SSL",
                "flightcdc.kafka.sasl-mechanism", "SCRAM-SHA-512",
                "flightcdc.kafka.sasl-username", SecuredKafkaBroker.USER,
                "flightcdc.kafka.sasl-password", kafkaPassword,
                "flightcdc.kafka.ssl-truststore-location", trusted.truststore().toString(),
                "flightcdc.kafka.ssl-truststore-password", trusted.storePassword(),
                "flightcdc.kafka.ssl-keystore-location", CERTIFICATES.clientKeystore().toString(),
                "flightcdc.kafka.ssl-keystore-password", CERTIFICATES.storePassword(),
                "flightcdc.kafka.ssl-key-password", CERTIFICATES.storePassword(),
                "flightcdc.opensky.poll-enabled", "false");
    }

    @Test
    void carriesEveryChangeExactlyOnceThroughEncryptedAndAuthenticatedConnections() throws Exception {
        try (Connection c = connect("verify-full")) {
            ChangeAudit.install(c);
            SourceSql.copyIn(c, "COPY flight_state (icao24, callsign, last_contact, velocity) FROM STDIN (FORMAT csv)",
                    rows(0, 4_000));
        }
        // Two clients at once: one updates half the rows in one statement, the other deletes a quarter and copies more.
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try {
            List<Future<Long>> writes = new ArrayList<>();
            writes.add(clients.submit(() -> {
                try (Connection c = connect("verify-full")) {
                    // Only the first copy's rows: the other client's may commit before this statement starts, or after.
                    return SourceSql.update(c, "UPDATE flight_state SET callsign = 'UPD' || substr(icao24, 4), velocity = velocity + 1"
                            + " WHERE icao24 LIKE 'sec%' AND substr(icao24, 4)::int < 4000 AND substr(icao24, 4)::int % 2 = 0");
                }
            }));
            writes.add(clients.submit(() -> {
                try (Connection c = connect("verify-full")) {
                    return SourceSql.inTransaction(c, () -> SourceSql.update(c,
                            "DELETE FROM flight_state WHERE icao24 LIKE 'sec%' AND substr(icao24, 4)::int < 4000"
                                    + " AND substr(icao24, 4)::int % 4 = 1")
                            + SourceSql.copyIn(c, "COPY flight_state (icao24, callsign, last_contact, velocity) FROM STDIN (FORMAT csv)",
                            rows(4_000, 1_000)));
                }
            }));
            for (Future<Long> write : writes) {
                assertThat(write.get()).isPositive();
            }
        } finally {
            clients.shutdownNow();
        }

        try (Connection source = connect("verify-full")) {
            Map<String, Long> recorded = ChangeAudit.recorded(source, ChangeAudit.FLIGHT_STATE, "sec");
            assertThat(ChangeAudit.size(recorded)).isEqualTo(4_000 + 2_000 + 1_000 + 1_000);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                try (Connection warehouse = warehouseConnection()) {
                    assertThat(ChangeAudit.size(ChangeAudit.loaded(warehouse, ChangeAudit.FLIGHT_STATE, "sec")))
                            .isGreaterThanOrEqualTo(ChangeAudit.size(recorded));
                }
            });
            try (Connection warehouse = warehouseConnection()) {
                assertThat(ChangeAudit.difference(recorded, ChangeAudit.loaded(warehouse, ChangeAudit.FLIGHT_STATE, "sec")))
                        .as("changes recorded but not loaded, or loaded but not recorded").isEmpty();
                assertThat(SourceSql.count(warehouse, "SELECT count(*) FROM flight_state WHERE icao24 LIKE 'sec%'"))
                        .isEqualTo(SourceSql.count(source, "SELECT count(*) FROM flight_state WHERE icao24 LIKE 'sec%'"));
            }

            // Every session of the pipeline's is encrypted (the server would refuse one that is not): the capture's too.
            assertThat(SourceSql.count(source, "SELECT count(*) FROM pg_stat_replication")).isEqualTo(1);
            assertThat(SourceSql.count(source, "SELECT count(*) FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)"
                    + " WHERE s.ssl")).isEqualTo(1);
        }

        // The loader's group and the YAML route's both logged in and joined.
        try (Admin admin = Admin.create(settingsBean().kafka().clientProperties(KAFKA.bootstrapServers()))) {
            assertThat(admin.listConsumerGroups().all().get().stream().map(ConsumerGroupListing::groupId))
                    .contains("flightcdc-warehouse", "flightcdc-squawks");
        }
    }

    @Test
    void aWrongKafkaPasswordStopsTheStartWithWhatToFix() throws Exception {
        assertThat(refusedStart("wrong-password", List.of("flightcdc.kafka.sasl-password", "not the password")))
                .contains("refused the login")
                .contains("flightcdc.kafka.sasl-username")
                .doesNotContain("not the password");
    }

    @Test
    void aServerCertificateFromAnUnknownAuthorityStopsTheStartWithWhatToFix() throws Exception {
        TestCertificates stranger = TestCertificates.make(DIR.resolve("stranger"), "some other authority");
        assertThat(refusedStart("unknown-authority", List.of("flightcdc.source.sslrootcert", stranger.authorityPem().toString())))
                .contains("SSL error").contains("flightcdc.source.sslrootcert");
    }

    /** Runs {@code flight-cdc run} with these settings, {@code changed} changed; returns its output once it exited 2. */
    private static String refusedStart(String name, List<String> changed) throws Exception {
        List<String> given = new ArrayList<>(securedSettings(SecuredKafkaBroker.PASSWORD, CERTIFICATES));
        for (int i = 0; i < changed.size(); i += 2) {
            given.set(given.indexOf(changed.get(i)) + 1, changed.get(i + 1));
        }
        List<String> args = new ArrayList<>(List.of("run", "--data-dir", DIR.resolve(name).resolve("data").toString()));
        for (int i = 0; i < given.size(); i += 2) {
            args.add("-D");
            args.add(given.get(i) + "=" + given.get(i + 1));
        }
        Path folder = DIR.resolve(name);
        try (ChildJvm pipeline = ChildJvm.flightCdc(folder.resolve("pipeline.log"), args)) {
            assertThat(pipeline.awaitExit(Duration.ofSeconds(120))).as(pipeline.tail(30)).isEqualTo(2);
            // The Kafka clients print their configuration: every secret in it as [hidden].
            assertThat(SecretSearch.filesHolding(folder, SecuredKafkaBroker.PASSWORD, CERTIFICATES.storePassword(),
                    POSTGRES.password())).as("files holding a secret").isEmpty();
            return String.join("\n", pipeline.lines());
        }
    }

    /** {@code count} rows as COPY's CSV: keys sec00000 on from {@code first}. */
    private static String rows(int first, int count) {
        StringBuilder csv = new StringBuilder();
        for (int i = first; i < first + count; i++) {
            csv.append("sec%05d,CS%d,2026-11-30 12:00:00+00,%d.5\n".formatted(i, i, i % 300));
        }
        return csv.toString();
    }

    private settings.PipelineSettings settingsBean() {
        return context.getRegistry().lookupByNameAndType("settings", settings.PipelineSettings.class);
    }
}
