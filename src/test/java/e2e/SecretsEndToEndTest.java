package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import embedded.EmbeddedPostgresServer;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.logging.log4j.Level;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.PGConnection;
import settings.PipelineSettings;
import warehouse.snowflake.TestSnowflakeSettings;
import warehouse.snowflake.streaming.FakeSnowflake;

/**
 * Every secret the pipeline can be given stays out of its log and out of every file it writes: the
 * password of an external PostgreSQL, the OpenSky client secret (the simulator asks for it, as OpenSky
 * does), and the Snowflake private key with its passphrase (Snowpipe Streaming's client is faked: no
 * account is reachable from here). The pipeline runs until each secret was used, then stops; every line
 * logged meanwhile, down to DEBUG and with its stack trace, and every byte under its data folder are
 * searched for them, as is the printed form of its settings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsEndToEndTest extends PipelineTestSupport {

    private static final String SOURCE_USER = "secret_test_loader";
    private static final String SOURCE_PASSWORD = "src-Pw-7Qx2-never-logged";
    private static final String OPENSKY_SECRET = "osky-Sec-4Kd9-never-logged";
    private static final String PASSPHRASE = "snow-Pass-9Zt5-never-logged";

    private static final Path DIR = newDirectory("secrets-");
    /**
     * Listening before anything starts. The root logger at DEBUG, and the libraries that print their
     * configuration (Debezium, Kafka's config classes, Hikari, Flyway) or a server's output (zonky) turned up
     * from WARN, so what they would print when someone turns them up is searched too. Kafka's broker and
     * clients stay at WARN (per-request chatter); Apache HttpClient's header and wire logs and Camel's
     * placeholder resolution stay at INFO, where log4j2.properties pins them because they print request
     * bodies and resolved values.
     */
    private static final LoggedText LOGGED = new LoggedText(Level.DEBUG, Map.of(
            "io.debezium", Level.INFO,
            "org.apache.kafka.common.config", Level.INFO,
            "org.apache.kafka.connect", Level.INFO,
            "com.zaxxer.hikari", Level.DEBUG,
            "org.flywaydb", Level.INFO,
            "io.zonky", Level.INFO));
    private static final EmbeddedPostgresServer THEIR_POSTGRES = theirPostgres();
    private static final KeyPair SNOWFLAKE_KEYS = keyPair();
    /** Encrypting salts it anew each time: the one text configured, made once. */
    private static final String ENCRYPTED_KEY_PEM = pem(SNOWFLAKE_KEYS, true);

    private final FakeSnowflake snowflake = new FakeSnowflake();

    /** Their server, with a user of the pipeline's whose password is the secret under test. */
    private static EmbeddedPostgresServer theirPostgres() {
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(DIR.resolve("their-postgres"), FreePorts.one());
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + SOURCE_USER + " LOGIN SUPERUSER");
            // As a SCRAM verifier computed here: the password itself never reaches their server's log either.
            c.unwrap(PGConnection.class).alterUserPassword(SOURCE_USER, SOURCE_PASSWORD.toCharArray(), "scram-sha-256");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
        return postgres;
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The private key as PKCS#8 PEM: encrypted with des3 under the passphrase, as Snowflake's guide has openssl
     * write it, or in the clear.
     */
    private static String pem(KeyPair keys, boolean encrypted) {
        try {
            var encryptor = encrypted ? new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.DES3_CBC)
                    .setProvider(new BouncyCastleProvider()).setPassword(PASSPHRASE.toCharArray()).build() : null;
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), encryptor));
            }
            return out.toString();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    protected Properties pipelineSettings() {
        Properties p = settings(DIR.resolve("pipeline"),
                "flightcdc.source.jdbc-url", THEIR_POSTGRES.jdbcUrl(),
                "flightcdc.source.user", SOURCE_USER,
                "flightcdc.source.password", SOURCE_PASSWORD,
                "flightcdc.kafka.embedded-port", String.valueOf(FreePorts.pair()),
                "flightcdc.simulator.port", "0",
                "flightcdc.simulator.aircraft", "50",
                "flightcdc.opensky.poll-interval-ms", "1000",
                "flightcdc.opensky.client-id", "secret-test-client",
                "flightcdc.opensky.client-secret", OPENSKY_SECRET,
                "flightcdc.opensky.record-dir", DIR.resolve("pipeline/recordings").toString(),
                "flightcdc.warehouse.type", "snowflake-streaming");
        try {
            TestSnowflakeSettings.values().forEach(p::setProperty);
            p.setProperty("flightcdc.snowflake.private-key", ENCRYPTED_KEY_PEM);
            p.setProperty("flightcdc.snowflake.private-key-passphrase", PASSPHRASE);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        p.setProperty("flightcdc.snowflake.role", "flightcdc_loader");
        return p;
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addConfiguration(new CamelConfiguration() {
            @Override
            public void configure(CamelContext context) {
                SnowpipeStreamingEndToEndTest.bindFakeClient(context.getRegistry(), snowflake);
            }
        });
        super.configure(configuration);
    }

    @AfterAll
    void stopEverything() throws Exception {
        context.stop();
        LOGGED.close();
        THEIR_POSTGRES.close();
    }

    @Test
    void noConfiguredSecretReachesALogLineOrAFile() throws Exception {
        // Each secret in use: the poll wrote aircraft to their database with an OAuth2 token (client secret), the
        // capture read them as their user (source password), the loader streamed them with the decrypted key.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                theirAircraft() > 0 && !snowflake.rows(SnowpipeStreamingEndToEndTest.TABLE).isEmpty());
        String settings = context.getRegistry().lookupByNameAndType("settings", PipelineSettings.class).toString();
        context.stop(); // its shutdown is logged too

        List<String> secrets = secrets();
        assertThat(settings).contains(SOURCE_USER, "secret-test-client");
        assertThat(secrets).allSatisfy(secret -> assertThat(settings).doesNotContain(secret));

        List<String> logged = LOGGED.events();
        assertThat(logged).as("the log was captured").anyMatch(e -> e.contains("Source schema flightcdc up to date"))
                .anyMatch(e -> e.startsWith("DEBUG "));
        assertThat(logged).filteredOn(event -> secrets.stream().anyMatch(event::contains)).isEmpty();

        Path data = DIR.resolve("pipeline");
        assertThat(data.resolve("recordings")).as("the poll's responses were recorded").isNotEmptyDirectory();
        assertThat(data.resolve("kafka")).isNotEmptyDirectory();
        assertThat(SecretSearch.filesHolding(data, secrets.toArray(String[]::new))).isEmpty();
    }

    /** The configured secrets, and the private key in every form it was given or could be printed in. */
    private static List<String> secrets() {
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) SNOWFLAKE_KEYS.getPrivate();
        List<String> secrets = new ArrayList<>(List.of(SOURCE_PASSWORD, OPENSKY_SECRET, PASSPHRASE,
                key.getPrivateExponent().toString(), key.getPrivateExponent().toString(16)));
        // A line of each PEM body: the encrypted key as configured, and the key in the clear.
        secrets.add(ENCRYPTED_KEY_PEM.lines().skip(1).findFirst().orElseThrow());
        secrets.add(pem(SNOWFLAKE_KEYS, false).lines().skip(1).findFirst().orElseThrow());
        return secrets;
    }

    private static long theirAircraft() throws Exception {
        try (Connection c = THEIR_POSTGRES.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM flight_state")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
