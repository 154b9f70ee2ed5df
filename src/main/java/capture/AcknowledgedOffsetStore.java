package capture;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;
import org.apache.kafka.connect.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's offset store, made to wait for Kafka: before a position is written, every change
 * published before it must be acknowledged. camel-debezium counts a change as done when the route
 * returns, and the route only hands the change to Kafka, so this is what keeps a stored position
 * from ever passing a change that is not in Kafka, both on the periodic flush and on shutdown.
 *
 * <p>The positions are kept where {@link #keepIn} says, the source database (PositionTable) or a local file
 * (PositionFile, Debezium's offsetStorageFileName, which is also where they are kept when nothing was said).
 *
 * <p>Every position is stored as the end of the last transaction Debezium finished (see
 * {@link ResumePosition}): a position inside a transaction would let Debezium skip rows on a restart.
 * Positions stored by an earlier version are rewritten the same way when they are read.
 */
public class AcknowledgedOffsetStore extends MemoryOffsetBackingStore {

    private static final Logger LOG = LoggerFactory.getLogger(AcknowledgedOffsetStore.class);
    /**
     * How long storing a position waits for Kafka to acknowledge the changes before it: past that, the position stays
     * where it was until the next flush. Debezium's thread waits with it and sends nothing meanwhile, so that a broker
     * gone away was noticed (a change refused, the capture restarted) only after this wait: 60 s before, 10 s now.
     * A broker that answers at all answers in milliseconds.
     */
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
    private static volatile Duration ackTimeout = ACK_TIMEOUT;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> POSITION = new TypeReference<>() {
    };

    private static volatile Runnable resumeCheck = () -> { };
    /** Debezium makes its store by class name, with no way to hand it one: the pipeline sets it here first. */
    private static volatile PositionStorage configuredStorage;
    private static volatile PositionWrites writes = new PositionWrites(java.time.Clock.systemUTC());

    private PositionStorage storage;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        PositionStorage configured = configuredStorage;
        storage = configured != null ? configured
                : new PositionFile(Path.of(config.getString(StandaloneConfig.OFFSET_STORAGE_FILE_FILENAME_CONFIG)));
    }

    /** Where the next capture to start keeps its position; null: the file Debezium's settings name. */
    public static void keepIn(PositionStorage storage) {
        configuredStorage = storage;
    }

    /** Told whether each write of the position succeeds (the readiness check reads it); null: a tally of its own. */
    public static void reportWritesTo(PositionWrites report) {
        writes = report != null ? report : new PositionWrites(java.time.Clock.systemUTC());
    }

    /**
     * The last commit LSN stored in {@code storage} by this store, which Debezium also confirmed to the replication
     * slot at most: empty when nothing or no commit is stored yet.
     */
    public static OptionalLong storedLastCommitLsn(PositionStorage storage) {
        OptionalLong lastCommit = OptionalLong.empty();
        for (ByteBuffer value : storage.read().values()) {
            if (value != null) {
                Object lsn = parse(value).get(ResumePosition.LAST_COMMIT_LSN);
                if (lsn instanceof Number n) {
                    lastCommit = OptionalLong.of(n.longValue());
                }
            }
        }
        return lastCommit;
    }

    /**
     * Checks run before Debezium reads the position it resumes from, at each start of its task (the first, and each
     * one after an error) and at each commit: one that throws keeps Debezium from going on, and in particular from
     * creating a missing replication slot anew past a gap.
     */
    public static void checkBeforeResuming(Runnable check) {
        resumeCheck = check == null ? () -> { } : check;
    }

    /** How long storing a position waits for Kafka's acknowledgements; null: {@link #ACK_TIMEOUT}. For tests. */
    static void waitForAcknowledgementsUpTo(Duration timeout) {
        ackTimeout = timeout != null ? timeout : ACK_TIMEOUT;
    }

    /** The same checks, before the capture's replication connection may create a slot (SlotCheckedReplicationConnection). */
    static void runResumeCheck() {
        resumeCheck.run();
    }

    @Override
    public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        if (!data.isEmpty()) {
            resumeCheck.run();
        }
        return super.get(keys);
    }

    @Override
    public synchronized void start() {
        super.start();
        storage.read().forEach((key, value) -> data.put(key, value == null ? null : resumePosition(value)));
    }

    @Override
    protected void save() {
        try {
            storage.write(new HashMap<>(data));
        } catch (RuntimeException e) {
            writes.failed(storage.describe(), e);
            throw e;
        }
        writes.succeeded();
    }

    /** Only Kafka Connect's REST API asks for these, and the pipeline has none. */
    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of();
    }

    @Override
    public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        try {
            PublishTracker.active().ifPresent(tracker -> {
                try {
                    tracker.awaitAcknowledged(ackTimeout);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Kafka", e);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Capture position not stored: {}. It stays at the last position whose changes are all in Kafka.",
                    e.getMessage() == null ? e.toString() : e.getMessage());
            if (callback != null) {
                callback.onCompletion(e, null);
            }
            return CompletableFuture.failedFuture(e);
        }
        return super.set(atTransactionStart(values), callback);
    }

    /** The positions to store: each moved back to a transaction's start (see ResumePosition). */
    private static Map<ByteBuffer, ByteBuffer> atTransactionStart(Map<ByteBuffer, ByteBuffer> values) {
        Map<ByteBuffer, ByteBuffer> stored = new HashMap<>();
        values.forEach((key, value) -> stored.put(key, value == null ? null : resumePosition(value)));
        return stored;
    }

    private static ByteBuffer resumePosition(ByteBuffer position) {
        try {
            return ByteBuffer.wrap(JSON.writeValueAsBytes(ResumePosition.resumePosition(parse(position))));
        } catch (IOException e) {
            throw new UncheckedIOException("Debezium's capture position is not a JSON object", e);
        }
    }

    private static Map<String, Object> parse(ByteBuffer position) {
        try {
            return JSON.readValue(PositionFile.bytes(position), POSITION);
        } catch (IOException e) {
            throw new UncheckedIOException("Debezium's capture position is not a JSON object", e);
        }
    }
}
