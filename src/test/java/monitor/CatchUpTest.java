package monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import e2e.FreePorts;
import cli.FlightCdc;
import embedded.EmbeddedKafkaBroker;
import embedded.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.replication.PGReplicationStream;

/**
 * catch-up against a real PostgreSQL and Kafka, with the pipeline played by hand: a replication slot nobody reads is
 * advanced, and the loader group's offsets are committed, or not. It waits for exactly what was committed before it
 * started, and says what is behind when the time runs out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatchUpTest {

    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final String GROUP = "flightcdc-warehouse";

    private EmbeddedPostgresServer postgres;
    private EmbeddedKafkaBroker kafka;
    private CatchUp catchUp;

    @BeforeAll
    void startServers() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "catch-up")), "run-");
        postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one());
        kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), FreePorts.pair());
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE written (id int)");
            s.execute("SELECT pg_create_logical_replication_slot('flightcdc', 'pgoutput')");
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        catchUp = new CatchUp(source(), "flightcdc", Map.of("bootstrap.servers", kafka.bootstrapServers()), GROUP,
                List.of(TOPIC, "flightcdc.transaction"));
    }

    @AfterAll
    void stopServers() throws Exception {
        kafka.close();
        postgres.close();
    }

    @Test
    void theCaptureHasCaughtUpOnceTheSlotConfirmsATransactionAfterTheStart() throws Exception {
        write("INSERT INTO written VALUES (1)");
        assertThatThrownBy(() -> catchUp.awaitCaptured(Duration.ofSeconds(1)))
                .isInstanceOf(CatchUp.Behind.class)
                .hasMessageMatching("Not caught up within 1 s: the capture is behind: the replication slot 'flightcdc'"
                        + " has confirmed [0-9A-F]+/[0-9A-F]+, short of [0-9A-F]+/[0-9A-F]+, the source's position when"
                        + " the wait began \\(.*\\)");

        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                catchUp.awaitCaptured(Duration.ofSeconds(30));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500);
        // Confirmed up to the start: not past it, still waiting.
        write("SELECT pg_replication_slot_advance('flightcdc', pg_current_wal_lsn())");
        Thread.sleep(500);
        assertThat(waiting).isNotDone();
        // A transaction after it, as a heartbeat makes, confirmed.
        write("INSERT INTO written VALUES (2)");
        write("SELECT pg_replication_slot_advance('flightcdc', pg_current_wal_lsn())");
        waiting.get(30, TimeUnit.SECONDS);
    }

    @Test
    void theCaptureStreamsOnceAClientReadsTheSlot() throws Exception {
        write("CREATE PUBLICATION streamed FOR TABLE written");
        write("SELECT pg_create_logical_replication_slot('streamed', 'pgoutput')");
        CatchUp streamed = new CatchUp(source(), "streamed", Map.of("bootstrap.servers", kafka.bootstrapServers()), GROUP,
                List.of(TOPIC));
        assertThatThrownBy(() -> streamed.awaitStreaming(Duration.ofSeconds(1)))
                .isInstanceOf(CatchUp.Behind.class)
                .hasMessage("Not caught up within 1 s: the replication slot 'streamed' is not being read: is the pipeline"
                        + " running?");

        Properties replication = new Properties();
        PGProperty.USER.set(replication, postgres.user());
        PGProperty.PASSWORD.set(replication, postgres.password());
        PGProperty.REPLICATION.set(replication, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(replication, "10");
        PGProperty.PREFER_QUERY_MODE.set(replication, "simple");
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), replication);
             PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                     .withSlotName("streamed").withSlotOption("proto_version", 1)
                     .withSlotOption("publication_names", "streamed").start()) {
            streamed.awaitStreaming(Duration.ofSeconds(30));
        }
    }

    @Test
    void theLoadHasCaughtUpOnceTheGroupCommittedTheEndsOfTheTopicsAtTheStart() throws Exception {
        long end = produce(3);
        assertThatThrownBy(() -> catchUp.awaitLoadedFromKafka(Duration.ofSeconds(1)))
                .isInstanceOf(CatchUp.Behind.class)
                .hasMessage("Not caught up within 1 s: the loader (consumer group '" + GROUP + "') is behind: "
                        + end + " records on " + TOPIC + "-0");

        commit(end - 1);
        assertThatThrownBy(() -> catchUp.awaitLoadedFromKafka(Duration.ofSeconds(1)))
                .hasMessageEndingWith("is behind: 1 records on " + TOPIC + "-0");

        commit(end);
        catchUp.awaitLoadedFromKafka(Duration.ofSeconds(30));
    }

    @Test
    void theCommandExitsWithOneLineOfWhatIsBehindWhenTheTimeRunsOut() throws Exception {
        write("INSERT INTO written VALUES (3)");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = FlightCdc.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("catch-up", "--timeout", "1", "--postgres-url", postgres.jdbcUrl(), "--kafka",
                        kafka.bootstrapServers(), "-D", "flightcdc.source.user=" + postgres.user(),
                        "-D", "flightcdc.source.password=" + postgres.password());
        assertThat(exitCode).as(err.toString()).isEqualTo(1);
        assertThat(err.toString().lines()).singleElement(InstanceOfAssertFactories.STRING)
                .startsWith("Not caught up within 1 s: the capture is behind: the replication slot 'flightcdc'");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void theCommandNeedsTheExternalServices() {
        StringWriter err = new StringWriter();
        int exitCode = FlightCdc.commandLine().setErr(new PrintWriter(err, true)).execute("catch-up");
        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("flightcdc.source.jdbc-url").contains("flightcdc.kafka.bootstrap-servers");
    }

    private PGSimpleDataSource source() {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(postgres.jdbcUrl());
        source.setUser(postgres.user());
        source.setPassword(postgres.password());
        return source;
    }

    private long produce(int records) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            long offset = -1;
            for (int i = 0; i < records; i++) {
                offset = producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS).offset();
            }
            return offset + 1;
        }
    }

    private void commit(long offset) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.alterConsumerGroupOffsets(GROUP, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(offset)))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private void write(String sql) throws Exception {
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
