package capture;

import io.debezium.embedded.KafkaConnectUtil;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.apache.kafka.connect.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's file offset store, made to wait for Kafka: before a position is written, every change
 * published before it must be acknowledged. camel-debezium counts a change as done when the route
 * returns, and the route only hands the change to Kafka, so this is what keeps a stored position
 * from ever passing a change that is not in Kafka, both on the periodic flush and on shutdown.
 */
public class AcknowledgedOffsetStore extends FileOffsetBackingStore {

    private static final Logger LOG = LoggerFactory.getLogger(AcknowledgedOffsetStore.class);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);

    public AcknowledgedOffsetStore() {
        super(KafkaConnectUtil.converterForOffsetStore());
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
        return super.set(values, callback);
    }
}
