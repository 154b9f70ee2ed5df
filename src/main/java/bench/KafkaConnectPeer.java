package bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.TableId;

/**
 * The peer of our capture: the same Debezium PostgreSQL connector run the way it is usually deployed,
 * by Kafka Connect in standalone mode, in a JVM of its own started with connect-standalone.sh's heap
 * and GC options, so its CPU and memory are its own. It reads the same WAL as our capture through a
 * slot of its own made before the changes were written ({@code snapshot.mode=no_data}: with no stored
 * offset it streams from where the slot stands), and publishes to the same broker under a topic prefix
 * of its own, with JsonConverter and schemas off for keys and values, as our capture writes its
 * records, so the bytes per record compare. It runs twice, as shipped ({@link Variant#AS_SHIPPED}: Connect's producer
 * and JVM keep their defaults) and tuned as our capture is ({@link Variant#TUNED_AS_OURS}), so that the second ratio
 * compares the capture code alone.
 */
final class KafkaConnectPeer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaConnectPeer.class);
    static final String NAME = Variant.AS_SHIPPED.readerName;

    /** How the peer runs: each with a slot, a topic prefix and a folder of its own. */
    enum Variant {
        /**
         * KAFKA_HEAP_OPTS and KAFKA_JVM_PERFORMANCE_OPTS as Kafka's start scripts set them for connect-standalone.sh,
         * and Connect's producer defaults (acks=all, one request in flight, no linger).
         */
        AS_SHIPPED("Kafka Connect + Debezium (peer)", "bench_peer", "benchpeer",
                List.of("-Xms256M", "-Xmx2G", "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                        "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true"),
                Map.of()),
        /** The producer settings (compression as shipped) and the collector our capture runs with (CaptureRoute, .mvn/jvm.config). */
        TUNED_AS_OURS("Kafka Connect + Debezium tuned as ours (peer)", "bench_peer_tuned", "benchpeertuned",
                List.of("-Xms256M", "-Xmx2G", "-server", "-XX:+UseParallelGC", "-Djava.awt.headless=true"),
                Map.of("producer.acks", "all", "producer.enable.idempotence", "true",
                        "producer.max.in.flight.requests.per.connection", "5", "producer.linger.ms", "20",
                        "producer.batch.size", "262144", "producer.compression.type", "lz4"));

        final String readerName;
        final String slot;
        final String topicPrefix;
        final List<String> jvmOptions;
        final Map<String, String> producer;

        Variant(String readerName, String slot, String topicPrefix, List<String> jvmOptions, Map<String, String> producer) {
            this.readerName = readerName;
            this.slot = slot;
            this.topicPrefix = topicPrefix;
            this.jvmOptions = jvmOptions;
            this.producer = producer;
        }
    }
    private static final long STOP_TIMEOUT_SECONDS = 60;
    /**
     * The source password reaches Kafka Connect in this environment variable of its process, which Kafka's
     * EnvVarConfigProvider reads where the connector's properties say ${env:...}: neither of the properties
     * files written to the data folder holds it, and Connect logs the placeholder, never the value.
     */
    static final String PASSWORD_VARIABLE = "FLIGHTCDC_PEER_DATABASE_PASSWORD";

    private final Variant variant;
    private final String classpath;
    private final LogicalSlot slot;
    private final Path workDir;
    private Process process;

    private KafkaConnectPeer(Variant variant, String classpath, LogicalSlot slot, Path workDir) {
        this.variant = variant;
        this.classpath = classpath;
        this.slot = slot;
        this.workDir = workDir;
    }

    /** Makes the peer's slot; call before the changes are written. Fails at once if Kafka Connect cannot be run. */
    static KafkaConnectPeer prepare(Variant variant, DataSource source, Path workDir)
            throws SQLException, IOException, InterruptedException {
        String classpath = JvmClasspath.forKafkaConnect();
        Path dir = Files.createDirectories(workDir.resolve(variant.topicPrefix));
        return new KafkaConnectPeer(variant, classpath, LogicalSlot.create(source, variant.slot, "pgoutput"), dir);
    }

    String name() {
        return variant.readerName;
    }

    private String topic(TableId table) {
        return variant.topicPrefix + "." + table.schema() + "." + table.name();
    }

    /**
     * Starts Kafka Connect, clocks it until its topic holds the {@code records} Kafka records of the
     * {@code changes} written, and stops it.
     */
    BenchResult.Reader measure(PostgresEndpoint pg, String bootstrapServers, BenchKafka kafka, TableId table, long changes,
                               long records, CatchUpClock clock) throws Exception {
        String topic = topic(table);
        Map<String, String> workerSettings = new HashMap<>(variant.producer);
        workerSettings.putAll(Map.ofEntries(
                Map.entry("bootstrap.servers", bootstrapServers),
                Map.entry("key.converter", "org.apache.kafka.connect.json.JsonConverter"),
                Map.entry("value.converter", "org.apache.kafka.connect.json.JsonConverter"),
                Map.entry("key.converter.schemas.enable", "false"),
                Map.entry("value.converter.schemas.enable", "false"),
                Map.entry("offset.storage.file.filename", workDir.resolve("connect.offsets").toString()),
                // Its REST API on loopback and on a port the system picks: it never clashes with anything.
                Map.entry("listeners", "http://127.0.0.1:0"),
                // The connector and converters declare themselves (META-INF/services): no class path scan at start-up.
                Map.entry("plugin.discovery", "service_load"),
                // The database password comes from the process's environment, not from a file (see PASSWORD_VARIABLE).
                Map.entry("config.providers", "env"),
                Map.entry("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider"),
                Map.entry("config.providers.env.param.allowlist.pattern", "^" + PASSWORD_VARIABLE + "$")));
        Path worker = write("worker.properties", workerSettings);
        Path connector = write("connector.properties", Map.ofEntries(
                Map.entry("name", "bench-peer"),
                Map.entry("connector.class", "io.debezium.connector.postgresql.PostgresConnector"),
                Map.entry("tasks.max", "1"),
                Map.entry("database.hostname", pg.host()),
                Map.entry("database.port", String.valueOf(pg.port())),
                Map.entry("database.user", pg.user()),
                Map.entry("database.password", "${env:" + PASSWORD_VARIABLE + "}"),
                Map.entry("database.dbname", pg.database()),
                Map.entry("topic.prefix", variant.topicPrefix),
                Map.entry("plugin.name", "pgoutput"),
                Map.entry("slot.name", slot.name()),
                // The pipeline's publication, left as it is: the peer decodes what our capture decodes.
                Map.entry("publication.name", pg.publication()),
                Map.entry("publication.autocreate.mode", "disabled"),
                Map.entry("table.include.list", table.toString()),
                Map.entry("snapshot.mode", "no_data"),
                // As our capture sets them, so both write the same records.
                Map.entry("decimal.handling.mode", "string"),
                Map.entry("tombstones.on.delete", "true"),
                Map.entry("skipped.operations", "none")));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(variant.jvmOptions);
        command.addAll(List.of("-cp", classpath, "org.apache.kafka.connect.cli.ConnectStandalone",
                worker.toString(), connector.toString()));
        Path log = workDir.resolve("connect.log");
        LOG.info("{}: starting Kafka Connect standalone (log in {})", name(), log);
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put(PASSWORD_VARIABLE, pg.password().value());
        process = builder.start();
        CatchUpClock.Timeline t = clock.await(name(), started, () -> kafka.records(topic), 0, records,
                () -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(name() + " exited with code " + process.exitValue()
                                + " before its topic held every record; see " + log);
                    }
                });
        double loadAverage = CatchUpClock.loadAverage();
        stop();
        long extra = kafka.records(topic) - records;
        if (extra != 0) {
            LOG.warn("{}: its topic holds {} records more than the {} expected", name(), extra, records);
        }
        return new BenchResult.Reader(name(), Throughput.seconds(t.startToFirstNanos()), Throughput.seconds(t.firstToLastNanos()),
                Throughput.seconds(t.startToLastNanos()), Throughput.perSecond(changes, t.firstToLastNanos()),
                Throughput.perSecond(records, t.firstToLastNanos()), extra,
                Math.round((double) kafka.bytes(topic) / (records + extra)), loadAverage);
    }

    private Path write(String name, Map<String, String> settings) throws IOException {
        Properties properties = new Properties();
        properties.putAll(settings);
        Path file = workDir.resolve(name);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "written by flight-cdc bench for the Kafka Connect peer");
        }
        return file;
    }

    /** Stops Kafka Connect as its scripts are stopped, SIGTERM (its shutdown hook stops the connector), then waits. */
    private void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("{}: still running {} s after SIGTERM; killing it", name(), STOP_TIMEOUT_SECONDS);
            process.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        // 143 (128 + SIGTERM) is how a JVM that stopped on SIGTERM exits.
        LOG.info("{}: Kafka Connect stopped (exit code {})", name(), process.exitValue());
    }

    /** Stops Kafka Connect if it still runs, then drops its slot. */
    @Override
    public void close() throws Exception {
        try {
            stop();
        } finally {
            slot.close();
        }
    }
}
