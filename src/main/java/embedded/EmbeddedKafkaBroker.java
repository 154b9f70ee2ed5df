package embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.StartupException;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process), run inside
 * the application. Its log directory is kept between runs, so topics and offsets survive restarts.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaRaftServer server;
    private final int port;

    private EmbeddedKafkaBroker(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Room a record batch takes beyond its record: the broker's limit applies to the batch the producer
     * sends, the producer's to the record.
     */
    private static final int BATCH_OVERHEAD_BYTES = 64 * 1024;

    /** Starts a broker with Kafka's own record size limit (about 1 MB), as an external broker has by default. */
    public static EmbeddedKafkaBroker start(Path logDirectory, int port) {
        return start(logDirectory, port, 0);
    }

    /**
     * Starts a broker on {@code port} that accepts change records of up to {@code maxRecordBytes} (0: Kafka's
     * default); its KRaft controller listens on {@code port + 1}.
     */
    public static EmbeddedKafkaBroker start(Path logDirectory, int port, int maxRecordBytes) {
        return start(logDirectory, port, maxRecordBytes, Map.of(), List.of());
    }

    /**
     * A broker set up beyond the pipeline's own needs, as a user's cluster is: {@code overrides} replace or add to its
     * configuration (listeners secured with TLS and SASL, say) and {@code formatOptions} are given to Kafka's storage
     * format on the first start ({@code --add-scram} to create SCRAM users).
     */
    public static EmbeddedKafkaBroker start(Path logDirectory, int port, int maxRecordBytes, Map<String, String> overrides,
                                            List<String> formatOptions) {
        long started = System.nanoTime();
        // Kafka halts the whole JVM when a listener cannot bind, before any message can be given.
        for (int p : new int[] {port, port + 1}) {
            if (!isFree(p)) {
                throw new StartupException("Cannot start the embedded Kafka broker: 127.0.0.1:" + p + " is in use"
                        + " (the broker needs " + port + " and " + (port + 1) + "; is another pipeline running?"
                        + " set flightcdc.kafka.embedded-port)");
            }
        }
        Properties config = brokerConfig(logDirectory, port, maxRecordBytes);
        config.putAll(overrides);
        formatStorageOnce(logDirectory, config, formatOptions);
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(config), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            throw new StartupException("Could not start the embedded Kafka broker on 127.0.0.1:" + port
                    + " (is the port or the next one in use? set flightcdc.kafka.embedded-port)", e);
        }
        LOG.info("Embedded Kafka broker ready on 127.0.0.1:{} in {} ms (logs in {})", port,
                Duration.ofNanos(System.nanoTime() - started).toMillis(), logDirectory);
        return new EmbeddedKafkaBroker(server, port);
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Embedded Kafka broker stopped");
    }

    private static Properties brokerConfig(Path logDirectory, int port, int maxRecordBytes) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + (port + 1));
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + (port + 1));
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDirectory.toAbsolutePath().toString());
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "true");
        // A single node cannot replicate: every internal topic must accept one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // After a crash the controller refuses the restarted broker until the dead one's session expires
        // (9 s by default); in one process both come and go together, so a short session costs nothing. The broker
        // asks again after pauses doubling from 100 ms (0.1, 0.3, 0.7, 1.5, 3.1, 6.3 s after its first ask): a 3 s
        // session lets the ask at 3.1 s through, where 4 s waited for the one at 6.3 (the broker was up 5.4–5.7 s after
        // a SIGKILL instead of 8.7). Fenced if a heartbeat is held up 2 s; heartbeats every 500 ms would allow 2.5 s,
        // and cost the idle pipeline about 0.13% of a core.
        p.put("broker.heartbeat.interval.ms", "1000");
        p.put("broker.session.timeout.ms", "3000");
        // The controller appends a no-op record to the metadata log every 500 ms, and flushes it, so that other nodes
        // can tell it is alive (KIP-835). With no other node to tell, it kept the raft thread at 0.55% of a core in the
        // idle phase of a short bench run, where the whole broker took 2.1%.
        p.put("metadata.max.idle.interval.ms", "0");
        // Kafka's defaults, 8 request handlers and 3 network threads per listener, are sized for a server of its own;
        // each wakes a few times a second when there is nothing to do. Here the broker shares the pipeline's cores.
        p.put("num.io.threads", "2");
        p.put("num.network.threads", "1");
        // The log cleaner reserves 128 MB for deduplication by default; compacted topics here are tiny.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        if (maxRecordBytes > 0) {
            // Kafka's default is about 1 MB; a topic created without its own max.message.bytes takes this, and
            // a topic created before takes it on the next start.
            p.put("message.max.bytes", String.valueOf(maxRecordBytes + BATCH_OVERHEAD_BYTES));
            p.put("replica.fetch.max.bytes", String.valueOf(maxRecordBytes + BATCH_OVERHEAD_BYTES));
        }
        return p;
    }

    private static void formatStorageOnce(Path logDirectory, Properties config, List<String> formatOptions) {
        try {
            Files.createDirectories(logDirectory);
            if (Files.exists(logDirectory.resolve("meta.properties"))) {
                return; // formatted on an earlier run: keep its cluster id and data
            }
            Path configFile = logDirectory.resolve("server.properties");
            try (Writer out = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
                config.store(out, "written by flight-cdc for the embedded Kafka broker");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            List<String> format = new ArrayList<>(List.of("format", "--ignore-formatted",
                    "-t", Uuid.randomUuid().toString(), "-c", configFile.toString()));
            format.addAll(formatOptions);
            int rc = StorageTool.execute(format.toArray(String[]::new), new PrintStream(output, true, StandardCharsets.UTF_8));
            if (rc != 0) {
                throw new IllegalStateException("Kafka storage format failed: " + output.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare the Kafka log directory " + logDirectory, e);
        }
    }
}
