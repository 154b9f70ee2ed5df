package e2e;

import embedded.EmbeddedPostgresServer;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until a running pipeline has carried everything written to its source so far into the warehouse,
 * without knowing what was written: first the capture, by the replication slot's confirmed position, then
 * the load, by the consumer group's committed offsets.
 */
final class CatchUp {

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String slot;
    private final String bootstrap;
    private final String group;
    private final Set<String> topics;

    CatchUp(String jdbcUrl, String user, String password, String slot, String bootstrap, String group,
            Collection<String> topics) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.slot = slot;
        this.bootstrap = bootstrap;
        this.group = group;
        this.topics = Set.copyOf(topics);
    }

    /** For a pipeline with the shipped slot and consumer group, capturing flight_state from {@code source}. */
    static CatchUp ofFlightState(EmbeddedPostgresServer source, String bootstrap) {
        return new CatchUp(source.jdbcUrl(), source.user(), source.password(), "flightcdc", bootstrap,
                "flightcdc-warehouse", Set.of("flightcdc.public.flight_state"));
    }

    /** Waits until Debezium streams from the slot: once its snapshot is done, changes from then on are streamed. */
    void awaitStreaming(Duration timeout) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> "t".equals(single(c,
                    "SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")));
        }
    }

    /** Both waits, one after the other, within {@code timeout} each. */
    void awaitLoaded(Duration timeout) throws SQLException {
        awaitCaptured(timeout);
        awaitLoadedFromKafka(timeout);
    }

    /**
     * Waits until everything written to the source so far is in Kafka. Debezium confirms a position to the
     * replication slot only after storing it, and stores it only once every change before it is in Kafka;
     * what it confirms is the end of the transaction before the last one it stored, so this takes one more
     * transaction after the last change: a heartbeat's (keep the heartbeat interval short).
     */
    void awaitCaptured(Duration timeout) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            String written = single(c, "SELECT pg_current_wal_insert_lsn()::text");
            await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> "t".equals(single(c,
                    "SELECT confirmed_flush_lsn > '" + written + "'::pg_lsn FROM pg_replication_slots WHERE slot_name = '"
                            + slot + "'")));
        }
    }

    /** The loader commits a batch's Kafka offsets after the warehouse transaction: no lag on any topic, all loaded. */
    void awaitLoadedFromKafka(Duration timeout) {
        try (Admin kafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> lag(kafka) == 0);
        }
    }

    /** Records in the captured topics that the loader has not committed yet. */
    private long lag(Admin kafka) throws Exception {
        // A topic is made by the first change to its table.
        Set<String> existing = kafka.listTopics().names().get().stream().filter(topics::contains).collect(Collectors.toSet());
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        kafka.describeTopics(existing).allTopicNames().get().forEach((topic, description) -> description.partitions()
                .forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, OffsetAndMetadata> committed = kafka.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        long lag = 0;
        for (var end : kafka.listOffsets(ends).all().get().entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag += Math.max(0, end.getValue().offset() - (done == null ? 0 : done.offset()));
        }
        return lag;
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
