package e2e;

import embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * A Kafka broker in a process of its own that, like a managed cluster, takes clients only over TLS, with a
 * SCRAM-SHA-512 login and a client certificate signed by the test's authority, and creates no topic on first use. Its controller listens in
 * PLAINTEXT on the next port, which no client is given.
 */
final class SecuredKafkaBroker implements AutoCloseable {

    static final String USER = "flightcdc";
    private static final String READY = "Secured broker ready";
    /** A quote and a backslash: the JAAS line must carry them as they are. */
    static final String PASSWORD = "scram \"se\\cret\"";
    private static final String BROKER_USER = "broker";
    private static final String BROKER_PASSWORD = "broker-secret";

    private final ChildJvm process;
    private final int port;

    private SecuredKafkaBroker(ChildJvm process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the broker in a child JVM and returns once it takes clients. */
    static SecuredKafkaBroker start(Path dir, TestCertificates certificates) throws InterruptedException {
        int port = FreePorts.pair();
        ChildJvm process = ChildJvm.start(dir.resolve("broker.log"), List.of("-Xmx512m"), SecuredKafkaBroker.class.getName(),
                List.of(dir.resolve("kafka").toString(), String.valueOf(port), certificates.serverKeystore().toString(),
                        certificates.truststore().toString(), certificates.storePassword()));
        try {
            process.awaitLine(Pattern.compile(Pattern.quote(READY)), Duration.ofSeconds(90));
        } catch (RuntimeException | InterruptedException e) {
            process.close();
            throw e;
        }
        return new SecuredKafkaBroker(process, port);
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.close();
    }

    /** Arguments: log directory, port, server keystore, truststore, their password. */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + BROKER_USER
                + "\" password=\"" + BROKER_PASSWORD + "\";";
        Map<String, String> secured = Map.ofEntries(
                Map.entry("listeners", "SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + (port + 1)),
                Map.entry("advertised.listeners", "SASL_SSL://127.0.0.1:" + port),
                Map.entry("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT"),
                Map.entry("inter.broker.listener.name", "SASL_SSL"),
                Map.entry("sasl.enabled.mechanisms", "SCRAM-SHA-512"),
                Map.entry("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512"),
                Map.entry("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", jaas),
                Map.entry("ssl.keystore.location", args[2]),
                Map.entry("ssl.keystore.password", args[4]),
                Map.entry("ssl.key.password", args[4]),
                Map.entry("ssl.truststore.location", args[3]),
                Map.entry("ssl.truststore.password", args[4]),
                Map.entry("ssl.client.auth", "required"),
                // As managed clusters do: the pipeline makes the topics it needs.
                Map.entry("auto.create.topics.enable", "false"));
        // The broker's own user is made with the storage; the pipeline's, by the broker's user as an operator would.
        List<String> brokerUser = List.of("--add-scram", "SCRAM-SHA-512=[name=" + BROKER_USER + ",password=" + BROKER_PASSWORD + "]");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Path.of(args[0]), port, 0, secured, brokerUser);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        Map<String, Object> operator = Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", jaas,
                "ssl.keystore.location", args[2],
                "ssl.keystore.password", args[4],
                "ssl.truststore.location", args[3],
                "ssl.truststore.password", args[4]);
        try (Admin admin = Admin.create(operator)) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), PASSWORD))).all().get();
        }
        System.out.println(READY);
        Thread.currentThread().join();
    }
}
