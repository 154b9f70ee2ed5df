package warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.ChangeEvent.Operation;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.DerivedViews;
import warehouse.KafkaPartition;
import warehouse.ProgressMovedException;
import warehouse.QueryRows;
import warehouse.SnapshotLoad;
import warehouse.SnapshotLoad.SnapshotMark;
import warehouse.SourcePosition;
import warehouse.StageRows.StageRow;
import warehouse.TableId;
import warehouse.TableSchema;

/**
 * The DuckDB warehouse written by two consumers at once (warehouse.jdbc.ParallelWriters): each loads its own
 * partitions while the other does, and a partition handed from one to the other mid-batch, as Kafka does in a
 * rebalance, is not loaded twice. Nor is one written by two loaders that do not share their progress, as two loader
 * processes would not.
 */
class ParallelWritersOnDuckDbTest {

    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final TableId TABLE = new TableId("public", "flight_state");
    private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("velocity", ColumnType.DOUBLE, false)), List.of("icao24"));
    private static final int BATCHES = 40;
    private static final int CHANGES_PER_BATCH = 500;

    @TempDir
    Path dir;
    private DuckDbWarehouse warehouse;
    private final ExecutorService consumers = Executors.newFixedThreadPool(2);

    @BeforeEach
    void open() throws Exception {
        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"), DerivedViews.NONE, 2);
        warehouse.prepare(List.of(SCHEMA));
    }

    @AfterEach
    void close() throws Exception {
        consumers.shutdownNow();
        warehouse.close();
    }

    @Test
    void twoConsumersLoadTheirOwnPartitionsAtOnce() throws Exception {
        onBothThreadsAtOnce(p -> {
            for (int batch = 0; batch < BATCHES; batch++) {
                warehouse.load(ChangeBatch.of(changes(p, batch * CHANGES_PER_BATCH, CHANGES_PER_BATCH)));
            }
        });

        // Each batch updates the partition's 500 keys again: the last batch's values stay.
        assertThat(rows("SELECT count(*), min(velocity), max(velocity) FROM flight_state"))
                .containsExactly("1000|" + (double) (BATCHES - 1) + "|" + (double) (BATCHES - 1));
        assertThat(rows("SELECT _kafka_partition, count(*), count(DISTINCT _kafka_offset) FROM flight_state_history"
                + " GROUP BY ALL ORDER BY 1")).containsExactly("0|20000|20000", "1|20000|20000");
        assertThat(warehouse.progress()).containsOnlyKeys(new KafkaPartition(TOPIC, 0), new KafkaPartition(TOPIC, 1));
        assertThat(warehouse.progress().get(new KafkaPartition(TOPIC, 1)).nextOffset()).isEqualTo(BATCHES * CHANGES_PER_BATCH);
    }

    /**
     * A direct snapshot's batches on both writers at once, as snapshot/DirectSnapshot loads them (on as many threads as
     * the warehouse's parallelism): each row once in the history and the current state.
     */
    @Test
    void aDirectSnapshotLoadsItsBatchesOnEveryWriterAtOnce() throws Exception {
        SnapshotLoad snapshot = warehouse.directSnapshot().orElseThrow();
        assertThat(snapshot.parallelism()).isEqualTo(2);
        snapshot.begin(500, List.of(SCHEMA));

        onBothThreadsAtOnce(w -> {
            for (int batch = w; batch < BATCHES; batch += 2) {
                snapshot.load(SCHEMA, snapshotRows(500, batch * CHANGES_PER_BATCH, CHANGES_PER_BATCH));
            }
        });
        snapshot.finish(500, BATCHES * CHANGES_PER_BATCH);

        assertThat(snapshot.mark()).contains(new SnapshotMark(500, true));
        assertThat(rows("SELECT count(*), count(DISTINCT icao24), sum(velocity) FROM flight_state"))
                .containsExactly("20000|20000|" + (double) (BATCHES * CHANGES_PER_BATCH - 1) * BATCHES * CHANGES_PER_BATCH / 2);
        assertThat(rows("SELECT _op, count(*), count(DISTINCT _kafka_offset), min(_kafka_offset), max(_kafka_offset)"
                + " FROM flight_state_history GROUP BY ALL")).containsExactly("r|20000|20000|-20000|-1");
    }

    /**
     * Kafka took partition 0 from one consumer while it was writing offsets 0 to 999 and gave it to the other, which
     * reads it again from the last committed offset: offsets 0 to 1,499. Whichever writes first, each offset is
     * loaded once.
     */
    @Test
    void aPartitionHandedToAnotherConsumerMidBatchIsLoadedOnce() throws Exception {
        CountDownLatch together = new CountDownLatch(2);
        Future<?> first = consumers.submit((Callable<Void>) () -> {
            together.countDown();
            together.await();
            warehouse.load(ChangeBatch.of(changes(0, 0, 1000)));
            return null;
        });
        Future<?> second = consumers.submit((Callable<Void>) () -> {
            together.countDown();
            together.await();
            warehouse.load(ChangeBatch.of(changes(0, 0, 1500)));
            return null;
        });
        first.get(1, TimeUnit.MINUTES);
        second.get(1, TimeUnit.MINUTES);

        assertThat(rows("SELECT count(*), count(DISTINCT _kafka_offset), max(_kafka_offset) FROM flight_state_history"))
                .containsExactly("1500|1500|1499");
        assertThat(warehouse.progress().get(new KafkaPartition(TOPIC, 0)).nextOffset()).isEqualTo(1500);
    }

    /**
     * Two loaders with progress of their own, as two loader processes have: Kafka moved partition 0 from the first to
     * the second, which read it from the group's offset, 0, while the first had loaded up to 1,000; then back, while
     * the second had gone on to 1,500. Each time the one behind is refused, reads the progress again and, tried
     * again, loads only what the other had not.
     */
    @Test
    void aLoaderBehindAnotherOnAPartitionIsRefusedThenLoadsOnlyWhatTheOtherHasNot() throws Exception {
        try (DuckDbWarehouse second = DuckDbWarehouse.open(dir.resolve("w.duckdb"), DerivedViews.NONE, 1)) {
            second.prepare(List.of(SCHEMA));
            KafkaPartition partition = new KafkaPartition(TOPIC, 0);
            warehouse.load(ChangeBatch.of(changes(0, 0, 1000)));

            assertThatThrownBy(() -> second.load(ChangeBatch.of(changes(0, 0, 1500))))
                    .isInstanceOf(ProgressMovedException.class).hasMessageContaining(TOPIC);
            assertThat(second.progress().get(partition).nextOffset()).isEqualTo(1000);
            assertThat(second.load(ChangeBatch.of(changes(0, 0, 1500))).applied()).isEqualTo(500);

            assertThatThrownBy(() -> warehouse.load(ChangeBatch.of(changes(0, 1000, 1000))))
                    .isInstanceOf(ProgressMovedException.class);
            assertThat(warehouse.load(ChangeBatch.of(changes(0, 1000, 1000))).applied()).isEqualTo(500);
        }

        assertThat(rows("SELECT count(*), count(DISTINCT _kafka_offset), max(_kafka_offset) FROM flight_state_history"))
                .containsExactly("2000|2000|1999");
        assertThat(rows("SELECT count(*), min(velocity), max(velocity) FROM flight_state")).containsExactly("500|3.0|3.0");
        assertThat(rows("SELECT next_offset FROM _flightcdc_kafka_offsets")).containsExactly("2000");
    }

    /**
     * {@code count} changes of partition {@code partition} from {@code offset}: its keys are {@code p<partition>-<n>} for
     * n below 500, created by the first batch and updated by the next ones, each in a transaction of its own whose
     * changes are numbered in order, with the batch's number as the velocity.
     */
    private static List<ChangeEvent> changes(int partition, long offset, int count) {
        List<ChangeEvent> changes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long o = offset + i;
            long transaction = o / CHANGES_PER_BATCH;
            long lastCommit = 1000 + transaction * 10 + partition; // only grows along each partition
            changes.add(new ChangeEvent(TOPIC, partition, o, TABLE, transaction == 0 ? Operation.CREATE : Operation.UPDATE,
                    new SourcePosition(lastCommit, lastCommit + 1, o % CHANGES_PER_BATCH + 1), transaction, 0L,
                    JsonNodeFactory.instance.objectNode().put("icao24", "p" + partition + "-" + o % CHANGES_PER_BATCH)
                            .put("velocity", (double) transaction), "{}"));
        }
        return changes;
    }

    /** What one of two threads does, given its number (0 or 1). */
    @FunctionalInterface
    private interface Work {
        void run(int thread) throws Exception;
    }

    /** Runs {@code work} on two threads, started together, and waits for both. */
    private void onBothThreadsAtOnce(Work work) throws Exception {
        CountDownLatch together = new CountDownLatch(2);
        List<Future<?>> running = new ArrayList<>();
        for (int thread = 0; thread < 2; thread++) {
            int t = thread;
            running.add(consumers.submit((Callable<Void>) () -> {
                together.countDown();
                together.await();
                work.run(t);
                return null;
            }));
        }
        for (Future<?> one : running) {
            one.get(2, TimeUnit.MINUTES);
        }
    }

    /**
     * {@code count} rows of a direct snapshot at {@code lsn}, the {@code first}th read onwards: keys {@code s<n>}, and n
     * as the velocity.
     */
    private static List<StageRow> snapshotRows(long lsn, long first, int count) {
        List<StageRow> rows = new ArrayList<>(count);
        for (long n = first; n < first + count; n++) {
            rows.add(new StageRow(new ChangeEvent(TOPIC, 0, -n - 1, TABLE, Operation.READ, new SourcePosition(lsn, lsn, null),
                    null, 0L, null, null), new String[] {"s" + n, Double.toString(n)}, null));
        }
        return rows;
    }

    private List<String> rows(String sql) throws Exception {
        try (Connection c = warehouse.newReader()) {
            return QueryRows.of(c, sql);
        }
    }
}
