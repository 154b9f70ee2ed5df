package settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import opensky.ClientCredentials;
import opensky.CreditBudget;
import org.junit.jupiter.api.Test;
import warehouse.TableId;

class PipelineSettingsTest {

    /** {{key}} in an endpoint or option, ${properties:key} in a Simple expression. */
    private static final Pattern PLACEHOLDER = Pattern.compile("(?:\\{\\{|\\$\\{properties:)(flightcdc\\.[a-z0-9.-]+)}}?");

    /** application.properties as shipped, with {{...}} placeholders resolved the simple way. */
    private static Map<String, String> shipped() throws Exception {
        Properties p = new Properties();
        try (InputStream in = PipelineSettingsTest.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        Map<String, String> map = new HashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)
                .replace("{{flightcdc.data-dir}}", p.getProperty("flightcdc.data-dir"))));
        return map;
    }

    private static PipelineSettings settings(Map<String, String> values) {
        return PipelineSettings.from(key -> Optional.ofNullable(values.get(key)));
    }

    /**
     * Every placeholder a route reads is declared in application.properties, the computed ones too: the Java routes'
     * and the YAML routes shipped on the classpath.
     */
    @Test
    void everyPlaceholderTheRoutesReadIsDeclared() throws Exception {
        Set<String> used = new TreeSet<>();
        for (String folder : new String[] {"src/main/java/routes", "src/main/resources/routes"}) {
            Set<String> usedHere = new TreeSet<>();
            try (var routes = Files.list(Path.of(folder))) {
                for (Path route : routes.toList()) {
                    Matcher m = PLACEHOLDER.matcher(Files.readString(route));
                    while (m.find()) {
                        usedHere.add(m.group(1));
                    }
                }
            }
            assertThat(usedHere).as(folder).isNotEmpty();
            used.addAll(usedHere);
        }

        assertThat(used).contains("flightcdc.squawks.webhook-url", "flightcdc.kafka.consumer-group");
        assertThat(shipped().keySet()).containsAll(used);
    }

    @Test
    void theLoaderFetchesABatchOfKilobyteChangesPerPartitionAndNeverLessThanKafkasOwnMegabyte() throws Exception {
        Map<String, String> values = shipped();
        assertThat(settings(values).warehouse().fetchBytesPerPartition()).isEqualTo(10_000 * 1024);

        values.put("flightcdc.load.max-batch", "100");
        assertThat(settings(values).warehouse().fetchBytesPerPartition()).isEqualTo(1 << 20);
        values.put("flightcdc.load.max-batch", "1000000");
        assertThat(settings(values).warehouse().fetchBytesPerPartition()).isEqualTo(1_000_000 * 1024);
    }

    @Test
    void theShippedDefaultsRunEverythingEmbedded() throws Exception {
        PipelineSettings s = settings(shipped());

        assertThat(s.source().embedded()).isTrue();
        assertThat(s.kafka().embedded()).isTrue();
        assertThat(s.openSky().simulated()).isTrue();
        assertThat(s.openSky().pollEnabled()).isTrue();
        assertThat(s.capture().enabled()).isTrue();
        assertThat(s.warehouse().loadEnabled()).isTrue();
        assertThat(s.source().tables()).containsExactly(new TableId("public", "flight_state"));
        assertThat(s.kafka().topicFor(s.source().tables().get(0))).isEqualTo("flightcdc.public.flight_state");
        assertThat(s.warehouse().duckdbPath().toString()).isEqualTo("data/warehouse.duckdb");
        assertThat(s.debeziumOffsets().toString()).isEqualTo("data/debezium-offsets.dat");
        assertThat(s.source().heartbeatIntervalMs()).isEqualTo(10_000);
        assertThat(s.kafka().compression()).isEqualTo("lz4");
        assertThat(s.monitor()).isEqualTo(new PipelineSettings.Monitor(10_000, 1024, 100_000));
        assertThat(s.http().enabled()).isTrue();
        assertThat(s.http().url()).isEqualTo("http://127.0.0.1:18090");
    }

    @Test
    void theHttpServerRefusesAPortOutOfRangeAndAnAddressThatIsNotOne() throws Exception {
        Map<String, String> port = shipped();
        port.put("flightcdc.http.port", "70000");
        assertThatThrownBy(() -> settings(port)).hasMessageContaining("flightcdc.http.port")
                .hasMessageContaining("between 0 and 65535");
        Map<String, String> host = shipped();
        host.put("flightcdc.http.host", "local host");
        assertThatThrownBy(() -> settings(host)).hasMessageContaining("flightcdc.http.host")
                .hasMessageContaining("a host name or IP address");
    }

    @Test
    void duckDbKeepsItsOwnMemoryLimitUnlessASizeIsGiven() throws Exception {
        assertThat(settings(shipped()).warehouse().duckdbMemoryLimit()).isEmpty();
        Map<String, String> v = shipped();
        for (String size : new String[] {"64MB", "1.5GB", "512 MiB", "2gb"}) {
            v.put("flightcdc.warehouse.duckdb-memory-limit", size);
            assertThat(settings(v).warehouse().duckdbMemoryLimit()).contains(size);
        }
        for (String notASize : new String[] {"64", "lots", "64MB; DROP TABLE x", "-1GB"}) {
            v.put("flightcdc.warehouse.duckdb-memory-limit", notASize);
            assertThatThrownBy(() -> settings(v)).isInstanceOf(InvalidSettingException.class)
                    .hasMessage("Setting flightcdc.warehouse.duckdb-memory-limit must be a size such as 64MB or 2GB, got '"
                            + notASize + "'");
        }
    }

    @Test
    void aReplayTakesThePlaceOfTheSimulatorNotOfTheApi() throws Exception {
        Map<String, String> v = shipped();
        v.put("flightcdc.opensky.replay-dir", "recordings/morning");
        assertThat(settings(v).openSky().replayDir()).contains(java.nio.file.Path.of("recordings/morning"));

        v.put("flightcdc.opensky.base-url", "https://opensky-network.org/api");
        assertThatThrownBy(() -> settings(v)).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Setting flightcdc.opensky.replay-dir serves a recording in place of the API");
    }

    @Test
    void configuringAnEndpointSwitchesThatPieceToExternal() throws Exception {
        Map<String, String> v = shipped();
        v.put("flightcdc.source.jdbc-url", "jdbc:postgresql://db.example:5432/flights");
        v.put("flightcdc.kafka.bootstrap-servers", "kafka1:9092,kafka2:9092");
        v.put("flightcdc.opensky.base-url", "https://opensky-network.org/api/");

        PipelineSettings s = settings(v);

        assertThat(s.source().embedded()).isFalse();
        assertThat(s.kafka().embedded()).isFalse();
        assertThat(s.openSky().baseUrl()).contains("https://opensky-network.org/api");
    }

    @Test
    void openSkyIsPolledAnonymouslyWorldwideWithTheCategoryByDefault() throws Exception {
        PipelineSettings.OpenSky o = settings(shipped()).openSky();

        assertThat(o.credentials()).isEmpty();
        assertThat(o.tokenUrl()).hasToString(
                "https://auth.opensky-network.org/auth/realms/opensky-network/protocol/openid-connect/token");
        assertThat(o.bbox()).isEmpty();
        assertThat(o.statesQuery()).isEqualTo("extended=1");
        assertThat(o.dailyCredits()).isEqualTo(400);
        assertThat(o.creditBudget()).isEqualTo(new CreditBudget(4, 400));
    }

    @Test
    void credentialsRaiseTheDefaultBudgetAndTheirSecretStaysOutOfToString() throws Exception {
        Map<String, String> v = shipped();
        v.put("flightcdc.opensky.client-id", "alice-api-client");
        v.put("flightcdc.opensky.client-secret", "s3cr3t-value");
        v.put("flightcdc.opensky.bbox", "45.8,5.9,47.8,10.5");
        v.put("flightcdc.opensky.extended", "false");

        PipelineSettings s = settings(v);

        assertThat(s.openSky().credentials()).contains(new ClientCredentials("alice-api-client", "s3cr3t-value"));
        assertThat(s.openSky().dailyCredits()).isEqualTo(4000);
        assertThat(s.openSky().statesQuery()).isEqualTo("lamin=45.8&lomin=5.9&lamax=47.8&lomax=10.5");
        assertThat(s.openSky().creditBudget().costPerCall()).isEqualTo(1);
        assertThat(s.toString()).contains("alice-api-client").doesNotContain("s3cr3t-value");

        v.put("flightcdc.opensky.daily-credits", "8000");
        assertThat(settings(v).openSky().dailyCredits()).as("an active feeder's allowance").isEqualTo(8000);
    }

    @Test
    void theSourcePasswordGoesToWhatLogsInAndNowhereElse() throws Exception {
        Map<String, String> v = shipped();
        v.put("flightcdc.source.jdbc-url", "jdbc:postgresql://db.example:5432/flights");
        v.put("flightcdc.source.user", "cdc");
        v.put("flightcdc.source.password", "pg-pa55-word");

        PipelineSettings s = settings(v);

        assertThat(s.source().password().value()).isEqualTo("pg-pa55-word");
        assertThat(s.source().toString()).contains("user=cdc", "password=(hidden)").doesNotContain("pg-pa55-word");
        assertThat(s.toString()).doesNotContain("pg-pa55-word");
    }

    @Test
    void aWrongJdbcUrlIsQuotedWithoutThePasswordItCarries() throws Exception {
        Map<String, String> v = shipped();
        v.put("flightcdc.source.jdbc-url", "postgresql://db.example/flights?user=cdc&password=pg-pa55-word");

        assertThatThrownBy(() -> settings(v)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("got 'postgresql://db.example/flights?user=cdc&password=(hidden)'")
                .hasMessageNotContaining("pg-pa55-word");
    }

    @Test
    void aClientIdNeedsItsSecretAndTheOtherWayRound() throws Exception {
        assertRejected("flightcdc.opensky.client-id", "alice-api-client", "flightcdc.opensky.client-secret",
                "set both for OAuth2, or neither");
        assertRejected("flightcdc.opensky.client-secret", "s3cr3t-value", "flightcdc.opensky.client-id",
                "set both for OAuth2, or neither");
    }

    @Test
    void aWrongSettingNamesItsKey() throws Exception {
        assertRejected("flightcdc.source.embedded-port", "70000", "between 1 and 65535");
        assertRejected("flightcdc.opensky.poll-interval-ms", "soon", "whole number");
        assertRejected("flightcdc.opensky.poll-enabled", "yes", "true or false");
        assertRejected("flightcdc.source.jdbc-url", "postgres://x/y", "jdbc:postgresql://");
        assertRejected("flightcdc.source.tables", "flight_state", "schema.table");
        assertRejected("flightcdc.source.slot", "Bad-Slot", "slot name");
        assertRejected("flightcdc.opensky.base-url", "opensky-network.org", "http(s) URL");
        assertRejected("flightcdc.source.user", "", "required");
        assertRejected("flightcdc.source.heartbeat-interval-ms", "-1", "between 0 and 3600000");
        assertRejected("flightcdc.monitor.interval-ms", "0", "between 100 and");
        assertRejected("flightcdc.monitor.retained-wal-warn-mb", "1GB", "whole number");
        assertRejected("flightcdc.monitor.consumer-lag-warn", "", "required");
        assertRejected("flightcdc.opensky.bbox", "45.8,5.9,47.8", "four numbers lamin,lomin,lamax,lomax");
        assertRejected("flightcdc.opensky.bbox", "47.8,5.9,45.8,10.5", "lamin must be below lamax and lomin below lomax, got '47.8,5.9,45.8,10.5'");
        assertRejected("flightcdc.opensky.bbox", "45,5,91,10", "-90..90");
        assertRejected("flightcdc.opensky.extended", "1", "true or false");
        assertRejected("flightcdc.opensky.token-url", "auth.opensky-network.org/token", "http(s) URL");
        assertRejected("flightcdc.opensky.daily-credits", "0", "between 1 and");
        assertRejected("flightcdc.opensky.max-backoff-ms", "", "required");
        assertRejected("flightcdc.capture.position-store", "kafka", "must be file or source, got 'kafka'");
        assertRejected("flightcdc.capture.snapshot", "fast", "must be debezium or direct, got 'fast'");
        assertRejected("flightcdc.capture.snapshot-readers", "0", "between 1 and");
        assertRejected("flightcdc.kafka.compression", "brotli", "must be none, gzip, snappy, lz4 or zstd, got 'brotli'");
    }

    @Test
    void theDashboardServesOnLoopbackWithAConsoleOfBoundedQueriesAndFifteenMinutesOfReadings() throws Exception {
        PipelineSettings.Http http = settings(shipped()).http();
        assertThat(http.url()).isEqualTo("http://127.0.0.1:18090");
        assertThat(http.queryTimeout()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(http.consoleMaxRows()).isEqualTo(10_000);
        assertThat(http.samplesKept()).as("15 minutes of a reading every 5 s").isEqualTo(180);

        assertRejected("flightcdc.http.query-timeout-ms", "0", "between 100 and 3600000");
        assertRejected("flightcdc.http.console-max-rows", "0", "between 1 and 1000000");
        Map<String, String> tooMany = shipped();
        tooMany.put("flightcdc.http.sample-interval-ms", "100");
        tooMany.put("flightcdc.http.timeline-minutes", "1440");
        assertThatThrownBy(() -> settings(tooMany)).isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("flightcdc.http.timeline-minutes").hasMessageContaining("at most 100000");
    }

    @Test
    void loadsInParallelOnlyWithAPartitionForEachConsumer() throws Exception {
        assertThat(settings(shipped()).kafka().partitions()).isEqualTo(1);
        assertThat(settings(shipped()).warehouse().consumers()).isEqualTo(1);
        Map<String, String> parallel = shipped();
        parallel.put("flightcdc.kafka.partitions", "4");
        parallel.put("flightcdc.load.consumers", "2");
        assertThat(settings(parallel).warehouse().consumers()).isEqualTo(2);

        assertRejected("flightcdc.kafka.partitions", "0", "between 1 and 1024");
        assertRejected("flightcdc.load.consumers", "2", "more than the 1 partition of each topic");
    }

    private static void assertRejected(String key, String value, String problem) throws Exception {
        assertRejected(key, value, key, problem);
    }

    /** Setting {@code key} to {@code value} fails naming {@code blamed}: the key to fix may be another one. */
    private static void assertRejected(String key, String value, String blamed, String problem) throws Exception {
        Map<String, String> v = shipped();
        v.put(key, value);
        assertThatThrownBy(() -> settings(v))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Setting " + blamed + " ")
                .hasMessageContaining(problem);
    }
    /** The shipped settings with {@code pairs} (key, value, ...) on top. */
    private static Map<String, String> shippedWith(String... pairs) throws Exception {
        Map<String, String> v = shipped();
        for (int i = 0; i < pairs.length; i += 2) {
            v.put(pairs[i], pairs[i + 1]);
        }
        return v;
    }

    private static final String[] EXTERNAL = {
            "flightcdc.source.jdbc-url", "jdbc:postgresql://db.example:5432/flights",
            "flightcdc.kafka.bootstrap-servers", "kafka.example:9096"};

    @Test
    void failoverNeedsServersAndAPositionTheInstancesShare() throws Exception {
        assertThat(settings(shipped()).failover().enabled()).isFalse();
        assertRejectedWith(shippedWith("flightcdc.failover.enabled", "true", "flightcdc.capture.position-store", "source",
                        "flightcdc.kafka.bootstrap-servers", "kafka.example:9096"), "flightcdc.failover.enabled",
                "set flightcdc.source.jdbc-url");
        assertRejectedWith(shippedWith("flightcdc.failover.enabled", "true", "flightcdc.capture.position-store", "source",
                        "flightcdc.source.jdbc-url", "jdbc:postgresql://db.example:5432/flights"), "flightcdc.failover.enabled",
                "set flightcdc.kafka.bootstrap-servers");
        Map<String, String> v = shippedWith(EXTERNAL);
        v.put("flightcdc.failover.enabled", "true");
        assertRejectedWith(v, "flightcdc.failover.enabled", "set flightcdc.capture.position-store=source");
        v.put("flightcdc.capture.position-store", "source");
        v.put("flightcdc.failover.lease-ms", "8000");
        PipelineSettings s = settings(v);
        assertThat(s.failover().enabled()).isTrue();
        assertThat(s.failover().checkInterval()).isEqualTo(java.time.Duration.ofSeconds(2));
        v.put("flightcdc.failover.lease-ms", "500");
        assertRejectedWith(v, "flightcdc.failover.lease-ms", "500");
    }

    /** Debezium snapshots unless told; a direct snapshot is loaded by the capturing process, which must load too. */
    @Test
    void aDirectSnapshotIsChosenAndNeedsTheLoaderInTheCapturingProcess() throws Exception {
        assertThat(settings(shipped()).capture().snapshot()).isEqualTo(PipelineSettings.Capture.Snapshot.DEBEZIUM);
        PipelineSettings direct = settings(shippedWith("flightcdc.capture.snapshot", "direct",
                "flightcdc.capture.snapshot-readers", "2"));
        assertThat(direct.capture().snapshot()).isEqualTo(PipelineSettings.Capture.Snapshot.DIRECT);
        assertThat(direct.capture().snapshotReaders()).isEqualTo(2);
        assertRejectedWith(shippedWith("flightcdc.capture.snapshot", "direct", "flightcdc.load.enabled", "false"),
                "flightcdc.capture.snapshot", "capture and load in one process");
    }

    /**
     * A process may capture while others load, or load while another captures: they meet in the source and the Kafka
     * they share, never in servers embedded in one of them.
     */
    @Test
    void aProcessThatDoesNotCaptureNeedsTheSourceAndTheKafkaOfTheOneThatDoes() throws Exception {
        assertRejectedWith(shippedWith("flightcdc.capture.enabled", "false", "flightcdc.kafka.bootstrap-servers",
                "kafka.example:9096"), "flightcdc.capture.enabled", "set flightcdc.source.jdbc-url");
        assertRejectedWith(shippedWith("flightcdc.capture.enabled", "false", "flightcdc.source.jdbc-url",
                "jdbc:postgresql://db.example:5432/flights"), "flightcdc.capture.enabled", "set flightcdc.kafka.bootstrap-servers");
        Map<String, String> loader = shippedWith(EXTERNAL);
        loader.put("flightcdc.capture.enabled", "false");
        loader.put("flightcdc.opensky.poll-enabled", "false");
        PipelineSettings s = settings(loader);
        assertThat(s.capture().enabled()).isFalse();
        assertThat(s.warehouse().loadEnabled()).isTrue();

        loader.put("flightcdc.failover.enabled", "true");
        loader.put("flightcdc.capture.position-store", "source");
        assertRejectedWith(loader, "flightcdc.failover.enabled", "the consumer group gives a stopped loader's partitions");
        loader.put("flightcdc.failover.enabled", "false");
        loader.put("flightcdc.load.enabled", "false");
        assertRejectedWith(loader, "flightcdc.capture.enabled", "this process would run nothing");

        // Capturing without loading: its embedded broker is where loaders elsewhere read (on this host).
        PipelineSettings captureOnly = settings(shippedWith("flightcdc.load.enabled", "false"));
        assertThat(captureOnly.warehouse().loadEnabled()).isFalse();
        assertThat(captureOnly.capture().enabled()).isTrue();
    }

    /** A PostgreSQL warehouse is any database but the source's, whose table names its tables would take. */
    @Test
    void aPostgresqlWarehouseIsAnotherDatabaseThanTheSourcesAndItsPasswordIsHidden() throws Exception {
        assertRejectedWith(shippedWith("flightcdc.warehouse.type", "postgres"), "flightcdc.warehouse.postgres-url",
                "is required");
        assertRejectedWith(shippedWith("flightcdc.warehouse.type", "postgres", "flightcdc.warehouse.postgres-url",
                "jdbc:duckdb:/tmp/w.duckdb"), "flightcdc.warehouse.postgres-url", "must be a PostgreSQL JDBC URL");
        // The embedded source is database postgres on 127.0.0.1 at its port.
        assertRejectedWith(shippedWith("flightcdc.warehouse.type", "postgres", "flightcdc.warehouse.postgres-url",
                "jdbc:postgresql://localhost:54329/postgres"), "flightcdc.warehouse.postgres-url", "names the source's database");
        assertRejectedWith(shippedWith("flightcdc.warehouse.type", "postgres", "flightcdc.source.jdbc-url",
                        "jdbc:postgresql://db.example/flights", "flightcdc.warehouse.postgres-url",
                        "jdbc:postgresql://DB.example:5432/flights?sslmode=require"), "flightcdc.warehouse.postgres-url",
                "CREATE DATABASE");

        PipelineSettings s = settings(shippedWith("flightcdc.warehouse.type", "postgres", "flightcdc.warehouse.postgres-url",
                "jdbc:postgresql://127.0.0.1:54329/analytics", "flightcdc.warehouse.postgres-password", "s3cret-pw"));
        PipelineSettings.Warehouse.Postgres postgres = s.warehouse().postgres().orElseThrow();
        assertThat(postgres.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:54329/analytics");
        assertThat(postgres.user()).isEqualTo("postgres");
        assertThat(postgres.password().value()).isEqualTo("s3cret-pw");
        assertThat(s.toString()).doesNotContain("s3cret-pw");
        assertThat(s.warehouse().type().snowflake()).isFalse();
        assertThat(s.snowflake()).isEmpty();
        assertThat(settings(shipped()).warehouse().postgres()).as("read only for type postgres").isEmpty();
    }

    private static void assertRejectedWith(Map<String, String> values, String blamed, String problem) {
        assertThatThrownBy(() -> settings(values))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Setting " + blamed + " ")
                .hasMessageContaining(problem);
    }

    @Test
    void byDefaultKafkaIsSpokenToInPlaintextAndPostgresqlPrefersTls() throws Exception {
        PipelineSettings s = settings(shipped());
        assertThat(s.kafka().clientProperties("127.0.0.1:19092"))
                .containsExactly(Map.entry("bootstrap.servers", "127.0.0.1:19092"), Map.entry("security.protocol", "PLAINTEXT"));
        assertThat(s.source().tls().jdbcProperties()).containsExactly(Map.entry("sslmode", "prefer"));
    }

    @Test
    void saslSslGivesEveryKafkaClientTheLoginAndTheStores(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path truststore = Files.writeString(dir.resolve("trust.p12"), "x");
        Path keystore = Files.writeString(dir.resolve("client.p12"), "x");
        Map<String, String> v = shippedWith(EXTERNAL);
        v.putAll(Map.of("flightcdc.kafka.security-protocol", "sasl_ssl",
                "flightcdc.kafka.sasl-mechanism", "SCRAM-SHA-256",
                "flightcdc.kafka.sasl-username", "cdc",
                "flightcdc.kafka.sasl-password", "pa\\ss\"word",
                "flightcdc.kafka.ssl-truststore-location", truststore.toString(),
                "flightcdc.kafka.ssl-keystore-location", keystore.toString(),
                "flightcdc.kafka.ssl-keystore-password", "store-secret",
                "flightcdc.kafka.ssl-keystore-type", "PKCS12"));
        PipelineSettings s = settings(v);

        assertThat(s.kafka().clientProperties("kafka.example:9096")).containsAllEntriesOf(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-256",
                // JAAS reads the quoted value with Java's escapes: the password arrives as it was set.
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"cdc\" password=\"pa\\\\ss\\\"word\";",
                "ssl.truststore.location", truststore.toAbsolutePath().toString(),
                "ssl.keystore.location", keystore.toAbsolutePath().toString(),
                "ssl.keystore.password", "store-secret",
                "ssl.keystore.type", "PKCS12"));
        assertThat(s.kafka().security().toString()).doesNotContain("pa\\ss").doesNotContain("store-secret");
        assertThat(s.kafka().security().describe()).isEqualTo("SASL_SSL SCRAM-SHA-256 as cdc, trusting " + truststore
                + ", client certificate " + keystore);
    }

    @Test
    void kafkaSecuritySettingsThatWouldBeIgnoredOrCannotWorkAreRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String[] sasl = {"flightcdc.kafka.security-protocol", "SASL_SSL", "flightcdc.kafka.sasl-username", "cdc",
                "flightcdc.kafka.sasl-password", "secret"};
        assertRefused(shippedWith("flightcdc.kafka.security-protocol", "SASL_SSL"), "flightcdc.kafka.security-protocol",
                "the embedded broker speaks PLAINTEXT only");
        assertRefused(withExternal("flightcdc.kafka.security-protocol", "TLS"), "flightcdc.kafka.security-protocol",
                "must be one of [PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL]");
        assertRefused(withExternal("flightcdc.kafka.security-protocol", "SASL_SSL"), "flightcdc.kafka.sasl-username", "required");
        assertRefused(withExternal(sasl, "flightcdc.kafka.sasl-mechanism", "GSSAPI"), "flightcdc.kafka.sasl-mechanism",
                "[PLAIN, SCRAM-SHA-256, SCRAM-SHA-512]");
        assertRefused(withExternal("flightcdc.kafka.sasl-username", "cdc"), "flightcdc.kafka.sasl-username",
                "flightcdc.kafka.security-protocol is PLAINTEXT: it takes effect only with SASL_PLAINTEXT or SASL_SSL");
        assertRefused(withExternal("flightcdc.kafka.security-protocol", "SASL_PLAINTEXT", "flightcdc.kafka.sasl-username", "cdc",
                        "flightcdc.kafka.sasl-password", "secret", "flightcdc.kafka.ssl-truststore-location", "/etc/hostname"),
                "flightcdc.kafka.ssl-truststore-location", "it takes effect only with SSL or SASL_SSL");
        assertRefused(withExternal(sasl, "flightcdc.kafka.ssl-truststore-location", dir.resolve("missing.p12").toString()),
                "flightcdc.kafka.ssl-truststore-location", "names no readable file: " + dir.resolve("missing.p12"));
        assertRefused(withExternal(sasl, "flightcdc.kafka.ssl-truststore-password", "secret"),
                "flightcdc.kafka.ssl-truststore-password", "flightcdc.kafka.ssl-truststore-location is empty");
        assertRefused(withExternal(sasl, "flightcdc.kafka.ssl-key-password", "secret"),
                "flightcdc.kafka.ssl-key-password", "the key is in the keystore");
    }

    @Test
    void postgresqlTlsIsSetOnceForJdbcAndTheCaptureAndCheckedAtStart(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path authority = Files.writeString(dir.resolve("root.crt"), "x");
        PipelineSettings s = settings(withExternal("flightcdc.source.sslmode", "verify-full",
                "flightcdc.source.sslrootcert", authority.toString()));
        assertThat(s.source().tls().jdbcProperties()).containsExactly(Map.entry("sslmode", "verify-full"),
                Map.entry("sslrootcert", authority.toAbsolutePath().toString()));

        assertRefused(shippedWith("flightcdc.source.sslmode", "require"), "flightcdc.source.sslmode",
                "the embedded PostgreSQL serves no TLS");
        assertRefused(withExternal("flightcdc.source.sslmode", "on"), "flightcdc.source.sslmode",
                "must be one of [disable, allow, prefer, require, verify-ca, verify-full]");
        assertRefused(withExternal("flightcdc.source.sslmode", "require", "flightcdc.source.sslrootcert", authority.toString()),
                "flightcdc.source.sslrootcert", "checked only with verify-ca or verify-full");
        assertRefused(withExternal("flightcdc.source.sslmode", "verify-ca", "flightcdc.source.sslrootcert", "/nowhere/root.crt"),
                "flightcdc.source.sslrootcert", "names no readable file");
        assertRefused(shippedWith("flightcdc.source.jdbc-url", "jdbc:postgresql://db.example/flights?user=cdc&sslmode=require"),
                "flightcdc.source.jdbc-url", "carries sslmode: set TLS with flightcdc.source.sslmode");
    }

    private static Map<String, String> withExternal(String... pairs) throws Exception {
        return shippedWith(concat(EXTERNAL, pairs));
    }

    private static Map<String, String> withExternal(String[] first, String... more) throws Exception {
        return withExternal(concat(first, more));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static void assertRefused(Map<String, String> values, String blamed, String problem) {
        assertThatThrownBy(() -> settings(values))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("Setting " + blamed + " ")
                .hasMessageContaining(problem);
    }
}

