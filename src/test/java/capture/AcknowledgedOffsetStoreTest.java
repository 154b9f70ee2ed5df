package capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.embedded.KafkaConnectUtil;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcknowledgedOffsetStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ByteBuffer KEY = bytes("[\"flight-cdc\",{\"server\":\"flightcdc\"}]");
    /** A position after a commit, as Debezium stores it after a transaction's END: already at a boundary. */
    private static final ByteBuffer POSITION = bytes("{\"lsn\":42,\"lsn_commit\":42}");

    @TempDir
    Path dir;
    private final PublishTracker tracker = new PublishTracker();
    private AcknowledgedOffsetStore store;

    @BeforeEach
    void start() {
        PublishTracker.activate(tracker);
        store = new AcknowledgedOffsetStore();
        store.configure(config());
        store.start();
    }

    private StandaloneConfig config() {
        return config(dir.resolve("offsets.dat"));
    }

    private static StandaloneConfig config(Path file) {
        return new StandaloneConfig(Map.of(
                "bootstrap.servers", "127.0.0.1:9",
                "key.converter", "org.apache.kafka.connect.json.JsonConverter",
                "value.converter", "org.apache.kafka.connect.json.JsonConverter",
                "offset.storage.file.filename", file.toString()));
    }

    @AfterEach
    void stop() {
        store.stop();
        PublishTracker.deactivate(tracker);
    }

    @Test
    void aPositionIsStoredOnlyAfterKafkaAcknowledgedEveryChangeBeforeIt() throws Exception {
        long inFlight = tracker.begin();
        CompletableFuture<Future<Void>> storing = CompletableFuture.supplyAsync(() -> store.set(Map.of(KEY, POSITION), null));
        Thread.sleep(150);
        assertThat(storing).isNotDone();
        assertThat(stored()).isNull();

        tracker.completed(inFlight, null);

        storing.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        assertThat(stored()).isEqualTo(POSITION);
    }

    @Test
    void noPositionIsStoredOnceKafkaRefusedAChange() throws Exception {
        tracker.completed(tracker.begin(), new IllegalStateException("not authorized"));
        Exception[] callbackError = new Exception[1];

        Future<Void> result = store.set(Map.of(KEY, POSITION), (error, ignored) -> callbackError[0] = (Exception) error);

        assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("not authorized");
        assertThat(callbackError[0]).hasMessageContaining("not authorized");
        assertThat(stored()).isNull();
    }

    /**
     * A broker that does not answer: the position is not stored and Debezium is told why, so that it keeps the last one
     * stored; once Kafka acknowledges, the next flush stores it.
     */
    @Test
    void aPositionIsNotStoredWhileKafkaLeavesAChangeBeforeItUnacknowledged() throws Exception {
        AcknowledgedOffsetStore.waitForAcknowledgementsUpTo(Duration.ofMillis(200));
        try {
            long unanswered = tracker.begin();
            Exception[] callbackError = new Exception[1];

            Future<Void> result = store.set(Map.of(KEY, POSITION), (error, ignored) -> callbackError[0] = (Exception) error);

            assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("1 changes sent to Kafka are still unacknowledged");
            assertThat(callbackError[0]).hasMessageContaining("still unacknowledged");
            assertThat(stored()).isNull();

            tracker.completed(unanswered, null);
            store.set(Map.of(KEY, POSITION), null).get(5, TimeUnit.SECONDS);
            assertThat(stored()).isEqualTo(POSITION);
        } finally {
            AcknowledgedOffsetStore.waitForAcknowledgementsUpTo(null);
        }
    }

    /** Debezium only warns of a position it could not store, and streams on: the readiness check says so until one is. */
    @Test
    void aPositionThatCannotBeStoredIsReportedUntilOneIs() throws Exception {
        PositionWrites writes = new PositionWrites(Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC));
        AcknowledgedOffsetStore.reportWritesTo(writes);
        Path folder = dir.resolve("not-made-yet");
        AcknowledgedOffsetStore elsewhere = new AcknowledgedOffsetStore();
        elsewhere.configure(config(folder.resolve("offsets.dat")));
        elsewhere.start();
        try {
            assertThatThrownBy(() -> elsewhere.set(Map.of(KEY, POSITION), null).get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
            assertThat(writes.problem()).hasValueSatisfying(problem -> assertThat(problem)
                    .contains("has not stored its position in " + folder.resolve("offsets.dat") + " since 2026-12-01T10:00:00Z")
                    .contains("Could not write the capture position"));

            Files.createDirectories(folder);
            elsewhere.set(Map.of(KEY, POSITION), null).get(5, TimeUnit.SECONDS);

            assertThat(writes.problem()).isEmpty();
        } finally {
            AcknowledgedOffsetStore.reportWritesTo(null);
            elsewhere.stop();
        }
    }

    @Test
    void thePositionFileIsReplacedWholeInTheFormatKafkasStoreReads() throws Exception {
        Path file = dir.resolve("offsets.dat");
        store.set(Map.of(KEY, POSITION), null).get(5, TimeUnit.SECONDS);
        Object firstFile = Files.getAttribute(file, "unix:ino");

        store.set(Map.of(KEY, bytes("{\"lsn\":43,\"lsn_commit\":43}")), null).get(5, TimeUnit.SECONDS);

        // A new file renamed over the old one, never the old one rewritten: a crash leaves one or the other whole.
        assertThat(Files.getAttribute(file, "unix:ino")).isNotEqualTo(firstFile);
        assertThat(dir.resolve("offsets.dat.tmp")).doesNotExist();
        FileOffsetBackingStore kafkas = new FileOffsetBackingStore(KafkaConnectUtil.converterForOffsetStore());
        kafkas.configure(config());
        kafkas.start();
        try {
            assertThat(kafkas.get(List.of(KEY)).get(5, TimeUnit.SECONDS).get(KEY)).isEqualTo(bytes("{\"lsn\":43,\"lsn_commit\":43}"));
        } finally {
            kafkas.stop();
        }
    }

    /**
     * Debezium would resume after the 300th row of a COPY and skip the rest of its WAL record, which shares the
     * LSN: the position stored is the commit before that transaction, from which it streams the transaction again.
     */
    @Test
    void aPositionInsideATransactionIsStoredAsTheCommitBeforeIt() throws Exception {
        store.set(Map.of(KEY, bytes("""
                {"transaction_id":"771","transaction_data_collection_order_public.flight_state":300,"lsn_proc":5000,
                 "messageType":"INSERT","lsn_commit":4000,"lsn":5000,"txId":771,"ts_usec":1714557600000000}""")), null)
                .get(5, TimeUnit.SECONDS);

        assertThat(json(stored())).isEqualTo(json(bytes("{\"lsn_commit\":4000,\"lsn\":4000,\"txId\":771,"
                + "\"ts_usec\":1714557600000000}")));
    }

    /**
     * In the first transaction after the initial snapshot no commit was processed yet: the change's LSN serves, as
     * PostgreSQL sends from there every transaction committing later, that one whole, and never from before the slot.
     */
    @Test
    void aPositionInTheFirstTransactionAfterTheSnapshotIsStoredWithoutItsChangeLsn() throws Exception {
        store.set(Map.of(KEY, bytes("{\"lsn_proc\":5000,\"messageType\":\"INSERT\",\"lsn\":5000,\"txId\":9}")), null)
                .get(5, TimeUnit.SECONDS);

        assertThat(json(stored())).isEqualTo(json(bytes("{\"lsn\":5000,\"txId\":9}")));
    }

    @Test
    void aSnapshotsPositionIsStoredAsDebeziumGaveIt() throws Exception {
        ByteBuffer snapshot = bytes("{\"last_snapshot_record\":false,\"lsn\":3000,\"txId\":5,\"snapshot\":\"INITIAL\","
                + "\"snapshot_completed\":false}");

        store.set(Map.of(KEY, snapshot), null).get(5, TimeUnit.SECONDS);

        assertThat(json(stored())).isEqualTo(json(snapshot));
    }

    @Test
    void aPositionInsideATransactionLeftInTheFileByAnEarlierVersionIsMovedBackWhenRead() throws Exception {
        store.set(Map.of(KEY, POSITION), null).get(5, TimeUnit.SECONDS);
        store.stop();
        // What an earlier version stored: Debezium's position as it was, inside a transaction.
        FileOffsetBackingStore kafkas = new FileOffsetBackingStore(KafkaConnectUtil.converterForOffsetStore());
        kafkas.configure(config());
        kafkas.start();
        kafkas.set(Map.of(KEY, bytes("{\"lsn_proc\":90,\"messageType\":\"UPDATE\",\"lsn_commit\":80,\"lsn\":90}")), null)
                .get(5, TimeUnit.SECONDS);
        kafkas.stop();

        store = new AcknowledgedOffsetStore();
        store.configure(config());
        store.start();

        assertThat(json(stored())).isEqualTo(json(bytes("{\"lsn_commit\":80,\"lsn\":80}")));
    }

    private static JsonNode json(ByteBuffer bytes) throws Exception {
        return JSON.readTree(StandardCharsets.UTF_8.decode(bytes.duplicate()).toString());
    }

    private ByteBuffer stored() throws Exception {
        return store.get(List.of(KEY)).get(5, TimeUnit.SECONDS).get(KEY);
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
