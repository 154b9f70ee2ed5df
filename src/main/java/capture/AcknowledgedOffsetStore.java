package capture;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.embedded.KafkaConnectUtil;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.apache.kafka.connect.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's file offset store, made to wait for Kafka: before a position is written, every change
 * published before it must be acknowledged. camel-debezium counts a change as done when the route
 * returns, and the route only hands the change to Kafka, so this is what keeps a stored position
 * from ever passing a change that is not in Kafka, both on the periodic flush and on shutdown.
 *
 * <p>It also writes the file so that a crash cannot cut it short: Kafka's store rewrites it in place,
 * and a file cut short reads as no position at all, after which Debezium would snapshot every table
 * again. The positions are written to a file alongside and renamed over the old one.
 *
 * <p>Every position is stored as the end of the last transaction Debezium finished (see
 * {@link ResumePosition}): a position inside a transaction would let Debezium skip rows on a restart.
 * Positions a file from an earlier version holds are rewritten the same way when it is read.
 */
public class AcknowledgedOffsetStore extends FileOffsetBackingStore {

    private static final Logger LOG = LoggerFactory.getLogger(AcknowledgedOffsetStore.class);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> POSITION = new TypeReference<>() {
    };

    private static volatile Runnable resumeCheck = () -> { };

    private Path file;

    public AcknowledgedOffsetStore() {
        super(KafkaConnectUtil.converterForOffsetStore());
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        file = Path.of(config.getString(StandaloneConfig.OFFSET_STORAGE_FILE_FILENAME_CONFIG));
    }

    /**
     * The last commit LSN stored in {@code file} by this store, which Debezium also confirmed to the replication
     * slot at most: empty when there is no file or no commit in it yet.
     */
    public static OptionalLong storedLastCommitLsn(Path file) {
        if (!Files.exists(file)) {
            return OptionalLong.empty();
        }
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file))) {
            OptionalLong lastCommit = OptionalLong.empty();
            for (Object value : ((Map<?, ?>) in.readObject()).values()) {
                if (value instanceof byte[] json) {
                    Object lsn = JSON.readValue(json, POSITION).get(ResumePosition.LAST_COMMIT_LSN);
                    if (lsn instanceof Number n) {
                        lastCommit = OptionalLong.of(n.longValue());
                    }
                }
            }
            return lastCommit;
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new IllegalStateException("Cannot read the capture position in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks run before Debezium reads the position it resumes from, at each start of its task (the first, and each
     * one after an error) and at each commit: one that throws keeps Debezium from going on, and in particular from
     * creating a missing replication slot anew past a gap.
     */
    public static void checkBeforeResuming(Runnable check) {
        resumeCheck = check == null ? () -> { } : check;
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
        data.replaceAll((key, value) -> value == null ? null : resumePosition(value));
    }

    /**
     * The format of Kafka's FileOffsetBackingStore (a serialized map of byte arrays), which reads it back.
     * Unlike it, this does not track connectorPartitions, which only Kafka Connect's REST API asks for.
     */
    @Override
    protected void save() {
        Path written = file.resolveSibling(file.getFileName() + ".tmp");
        Map<byte[], byte[]> raw = new HashMap<>();
        data.forEach((key, value) -> raw.put(key == null ? null : key.array(), value == null ? null : value.array()));
        try (FileChannel channel = FileChannel.open(written, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ObjectOutputStream out = new ObjectOutputStream(Channels.newOutputStream(channel));
            out.writeObject(raw);
            out.flush();
            channel.force(true);
        } catch (IOException e) {
            throw new ConnectException("Could not write the capture position to " + written, e);
        }
        try {
            Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ConnectException("Could not replace " + file + " with the new capture position", e);
        }
    }

    @Override
    public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        try {
            PublishTracker.active().ifPresent(tracker -> {
                try {
                    tracker.awaitAcknowledged(ACK_TIMEOUT);
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
            byte[] json = new byte[position.remaining()];
            position.duplicate().get(json);
            return ByteBuffer.wrap(JSON.writeValueAsBytes(ResumePosition.resumePosition(JSON.readValue(json, POSITION))));
        } catch (IOException e) {
            throw new UncheckedIOException("Debezium's capture position is not a JSON object", e);
        }
    }
}
