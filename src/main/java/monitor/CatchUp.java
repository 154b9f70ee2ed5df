package monitor;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import settings.PipelineSettings;

/**
 * Waits until every change committed in the source before the wait began is in the warehouse, read from the outside:
 * the replication slot in PostgreSQL, then the loader's consumer group in Kafka. It needs neither the pipeline's
 * process nor its warehouse, so it runs beside a pipeline that holds its DuckDB file.
 *
 * <p>The capture first. Debezium confirms a position to the slot only once every change before it is in Kafka, and
 * what it confirms is the end of the transaction before the last one it stored: the slot passes the source's position
 * at the start only after one more transaction. The heartbeat ({@code flightcdc.source.heartbeat-interval-ms}) makes
 * one when nothing else does, so an idle source catches up within about one heartbeat.
 *
 * <p>Then the load. The ends of the change topics and the transaction topic, read once the capture has caught up,
 * hold every change committed before the start; the loader commits a batch's offsets after its warehouse transaction,
 * so once the group's committed offsets reach those ends, all of it is loaded. Ends read then, not on every look, so a
 * source that keeps changing (the poll) does not keep the wait from ending.
 */
public final class CatchUp {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

    private final DataSource source;
    private final String slot;
    private final Map<String, Object> kafkaClient;
    private final String group;
    private final List<String> topics;

    /**
     * @param source the source database, as a user that may read pg_replication_slots (any user may)
     * @param kafkaClient the cluster and how to speak to it (PipelineSettings.Kafka#clientProperties)
     * @param topics the topics the loader reads: the change topics and the transaction topic
     */
    public CatchUp(DataSource source, String slot, Map<String, Object> kafkaClient, String group,
                   Collection<String> topics) {
        this.source = source;
        this.slot = slot;
        this.kafkaClient = Map.copyOf(kafkaClient);
        this.group = group;
        this.topics = List.copyOf(topics);
    }

    /** The pipeline's own slot, loader group and topics, as {@code settings} name them. */
    public static CatchUp of(PipelineSettings settings, DataSource source, String bootstrap) {
        List<String> topics = new ArrayList<>(settings.changeTopics());
        topics.add(settings.kafka().transactionTopic());
        return new CatchUp(source, settings.source().slot(), settings.kafka().clientProperties(bootstrap),
                settings.kafka().consumerGroup(), topics);
    }

    /** The source or the loader is still behind when the time is up; the message says which, and by how much. */
    public static final class Behind extends RuntimeException {
        Behind(String message) {
            super(message);
        }
    }

    /** Waits until Debezium streams from the slot: once its snapshot is done, changes from then on are streamed. */
    public void awaitStreaming(Duration timeout) throws SQLException {
        try (Connection c = source.getConnection()) {
            waitUntil(timeout, timeout, () -> "true".equals(slotColumn(c, "active")),
                    () -> "the replication slot '" + slot + "' is not being read: is the pipeline running?");
        }
    }

    /** Both waits, the capture's then the load's, within {@code timeout} in all. */
    public void awaitLoaded(Duration timeout) throws SQLException, InterruptedException, ExecutionException,
            TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        awaitCaptured(timeout, timeout);
        // What is left of the time; at least a look, should the capture have taken all of it.
        awaitLoadedFromKafka(Duration.ofNanos(Math.max(POLL_INTERVAL.toNanos(), deadline - System.nanoTime())), timeout);
    }

    /** Waits until every change committed in the source so far is in Kafka (see the class comment). */
    public void awaitCaptured(Duration timeout) throws SQLException {
        awaitCaptured(timeout, timeout);
    }

    /** @param given the time the caller was given in all, for the message */
    private void awaitCaptured(Duration timeout, Duration given) throws SQLException {
        try (Connection c = source.getConnection()) {
            String written = single(c, "SELECT pg_current_wal_insert_lsn()::text");
            waitUntil(timeout, given, () -> confirmedPast(c, written),
                    () -> "the capture is behind: the replication slot '" + slot + "' has confirmed "
                            + Objects.requireNonNullElse(slotColumn(c, "confirmed_flush_lsn"), "nothing (no such slot)")
                            + ", short of " + written + ", the source's position when the wait began (is the pipeline"
                            + " running, and flightcdc.source.heartbeat-interval-ms above 0?)");
        }
    }

    /** Waits until the loader has committed everything Kafka holds now in the loaded topics. */
    void awaitLoadedFromKafka(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
        awaitLoadedFromKafka(timeout, timeout);
    }

    private void awaitLoadedFromKafka(Duration timeout, Duration given)
            throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin kafka = KafkaAdmin.create(kafkaClient, "flightcdc-catch-up", KAFKA_TIMEOUT)) {
            Map<TopicPartition, Long> ends = ends(kafka);
            waitUntil(timeout, given, () -> behind(kafka, ends).isEmpty(),
                    () -> "the loader (consumer group '" + group + "') is behind: " + behind(kafka, ends).entrySet().stream()
                            .map(e -> e.getValue() + " records on " + e.getKey()).collect(Collectors.joining(", ")));
        }
    }

    /** The end offset of every partition of the loaded topics there are (a topic is made by the first change). */
    private Map<TopicPartition, Long> ends(Admin kafka) throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = get(kafka.listTopics().names());
        List<String> present = topics.stream().filter(existing::contains).toList();
        if (present.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> latest = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
        get(kafka.describeTopics(present).allTopicNames()).values().forEach(d -> d.partitions()
                .forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        return get(kafka.listOffsets(latest).all()).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** Records before {@code ends} the group has not committed, per partition that has any. */
    private Map<TopicPartition, Long> behind(Admin kafka, Map<TopicPartition, Long> ends)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed = get(kafka.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata());
        // A partition the group never committed counts from its first record: one Kafka has cut short by retention
        // holds nothing earlier to load.
        List<TopicPartition> neverCommitted = ends.keySet().stream().filter(tp -> committed.get(tp) == null).toList();
        Map<TopicPartition, Long> starts = neverCommitted.isEmpty() ? Map.of() : get(kafka.listOffsets(neverCommitted
                .stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.earliest()))).all()).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        Map<TopicPartition, Long> behind = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
        ends.forEach((tp, end) -> {
            OffsetAndMetadata done = committed.get(tp);
            long records = end - (done == null ? starts.get(tp) : done.offset());
            if (records > 0) {
                behind.put(tp, records);
            }
        });
        return behind;
    }

    /**
     * Polls {@code caughtUp} until it holds; past {@code timeout}, throws {@link Behind} with {@code behind}'s words and
     * {@code given}, the time the caller was given in all.
     */
    private static void waitUntil(Duration timeout, Duration given, Callable<Boolean> caughtUp, Callable<String> behind) {
        try {
            await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(POLL_INTERVAL).until(caughtUp);
        } catch (ConditionTimeoutException e) {
            String what;
            try {
                what = behind.call();
            } catch (Exception unreadable) {
                what = "cannot tell what is behind: " + unreadable.getMessage();
            }
            throw new Behind("Not caught up within " + given.toSeconds() + " s: " + what);
        }
    }

    private boolean confirmedPast(Connection c, String lsn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn > ?::pg_lsn FROM pg_replication_slots"
                + " WHERE slot_name = ?")) {
            ps.setString(1, lsn);
            ps.setString(2, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private String slotColumn(Connection c, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + column + "::text FROM pg_replication_slots"
                + " WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static <T> T get(KafkaFuture<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
