package warehouse.snowflake.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.ChangeEvent.Operation;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.DeadLetter;
import warehouse.KafkaPartition;
import warehouse.LoadResult;
import warehouse.MetadataColumn;
import warehouse.PartitionProgress;
import warehouse.SourcePosition;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.UnavailableValue;

/**
 * The Snowpipe Streaming writer against a fake of the SDK's client and channel: every Kafka record
 * lands exactly once, through batching, refused rows, invalidated channels, failures in the middle of
 * a batch and restarts.
 */
class SnowpipeStreamingWarehouseTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableId FLIGHTS = new TableId("public", "flight_state");
    private static final TableSchema SCHEMA = new TableSchema(FLIGHTS, List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("velocity", ColumnType.DOUBLE, false),
            new Column("on_ground", ColumnType.BOOLEAN, false),
            new Column("last_contact", ColumnType.TIMESTAMPTZ, false),
            new Column("sensors", ColumnType.INTEGER, true)), List.of("icao24"));
    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final String TABLE = "FLIGHTCDC.CDC.FLIGHT_STATE_CHANGES";
    private static final String CHANNEL_0 = TABLE + ".flightcdc-warehouse_" + TOPIC + "_0";
    private static final String CHANNEL_1 = TABLE + ".flightcdc-warehouse_" + TOPIC + "_1";
    private static final String WATERMARK_TABLE = "FLIGHTCDC.CDC._FLIGHTCDC_LOADED_THROUGH";
    private static final String WATERMARK_CHANNEL = WATERMARK_TABLE + ".flightcdc-warehouse_LOADED_THROUGH";

    private final FakeSnowflake snowflake = new FakeSnowflake();
    private SnowpipeStreamingWarehouse warehouse;
    private final Map<Integer, Long> nextOffset = new HashMap<>();
    private long lsn = 1000;

    @BeforeEach
    void start() {
        // The change table as snowflake/ creates it: a row naming any other column is refused.
        Set<String> columns = new TreeSet<>();
        MetadataColumn.CHANGE_TABLE.forEach(c -> columns.add(c.columnName().toUpperCase()));
        SCHEMA.columns().forEach(c -> columns.add(c.name().toUpperCase()));
        snowflake.table(TABLE, columns);
        snowflake.table(WATERMARK_TABLE, Set.of("_LAST_COMMIT_LSN", "_LOADED_AT"));
        warehouse = startProcess();
    }

    @AfterEach
    void stop() throws Exception {
        warehouse.close();
    }

    private SnowpipeStreamingWarehouse startProcess() {
        SnowpipeStreamingWarehouse w = new SnowpipeStreamingWarehouse(snowflake.newClient(), "FLIGHTCDC", "CDC",
                "flightcdc-warehouse", t -> "flightcdc." + t, Duration.ofMillis(500));
        w.prepare(List.of(SCHEMA));
        return w;
    }

    @Test
    void everyRecordBecomesOneRowAndTheChannelTokenIsItsKafkaOffset() throws Exception {
        LoadResult result = warehouse.load(batch(
                change(0, Operation.CREATE, "{\"icao24\":\"abc123\",\"velocity\":230.5,\"on_ground\":false,"
                        + "\"last_contact\":\"2024-05-01T10:00:00Z\",\"sensors\":[1,2]}"),
                change(0, Operation.UPDATE, "{\"icao24\":\"abc123\",\"velocity\":1.0E10,\"on_ground\":true,"
                        + "\"last_contact\":\"2024-05-01T10:00:05Z\",\"sensors\":[]}"),
                change(0, Operation.DELETE, "{\"icao24\":\"abc123\"}")));

        assertThat(result.applied()).isEqualTo(3);
        assertThat(offsetsLoaded(0)).containsExactly(0L, 1L, 2L);
        assertThat(snowflake.committedToken(CHANNEL_0)).isEqualTo("2");
        assertThat(warehouse.progress().get(new KafkaPartition(TOPIC, 0)).nextOffset()).isEqualTo(3);
        Map<String, Object> update = snowflake.rows(TABLE).get(1);
        assertThat(update).containsEntry("_OP", "u").containsEntry("ICAO24", "abc123").containsEntry("VELOCITY", 1.0E10)
                .containsEntry("ON_GROUND", true).containsEntry("LAST_CONTACT", "2024-05-01T10:00:05Z")
                .containsEntry("SENSORS", "[]").containsEntry("_KAFKA_TOPIC", TOPIC).containsEntry("_KAFKA_PARTITION", 0)
                .containsEntry("_KAFKA_OFFSET", 1L).containsEntry("_LSN", 1001L).containsKey("_LOADED_AT")
                .doesNotContainKey("_REJECTED_REASON");
    }

    @Test
    void aBatchIsOneInsertPerPartitionAndOneFlushThenTheWatermarksInsertAndFlush() throws Exception {
        List<ChangeEvent> changes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            changes.add(change(i % 2, Operation.CREATE, "{\"icao24\":\"a" + i + "\"}"));
        }

        warehouse.load(ChangeBatch.of(changes));

        assertThat(snowflake.inserts).isEqualTo(3);
        assertThat(snowflake.flushes).isEqualTo(2);
        assertThat(offsetsLoaded(0)).hasSize(250).doesNotHaveDuplicates();
        assertThat(offsetsLoaded(1)).hasSize(250).doesNotHaveDuplicates();
        assertThat(snowflake.committedToken(CHANNEL_1)).isEqualTo("249");
    }

    @Test
    void aRowSnowflakeRefusesIsSetAsideWithItsReasonAndTheRestOfTheBatchLands() throws Exception {
        snowflake.refuse = row -> "NaN".equals(row.get("VELOCITY")) ? "FLOAT column VELOCITY does not take 'NaN'" : null;

        LoadResult result = warehouse.load(batch(
                change(0, Operation.CREATE, "{\"icao24\":\"aaa111\",\"velocity\":12.5}"),
                change(0, Operation.CREATE, "{\"icao24\":\"bbb222\",\"velocity\":\"NaN\"}"),
                change(0, Operation.CREATE, "{\"icao24\":\"ccc333\",\"velocity\":13.5}")));

        assertThat(result.applied()).isEqualTo(2);
        assertThat(result.deadLettered()).isEqualTo(1);
        assertThat(offsetsLoaded(0)).containsExactly(0L, 1L, 2L);
        Map<String, Object> setAside = snowflake.rows(TABLE).get(1);
        assertThat(setAside).containsEntry("_KAFKA_OFFSET", 1L).doesNotContainKey("ICAO24").doesNotContainKey("_OP");
        assertThat((String) setAside.get("_REJECTED_REASON")).startsWith("Snowflake refused the row: ").contains("NaN");
        assertThat((String) setAside.get("_REJECTED_EVENT")).contains("bbb222");
    }

    /**
     * Without REPLICA IDENTITY FULL a change may lack values: they are written NULL and named in _UNAVAILABLE,
     * for the history to carry forward, never as the placeholder. A value no warehouse holds exactly sets its
     * change aside before anything is sent.
     */
    @Test
    void aValueAChangeLacksIsNamedNotWrittenAndAValueNoWarehouseHoldsSetsItsChangeAside() throws Exception {
        TableId notesId = new TableId("public", "notes");
        TableSchema notes = new TableSchema(notesId, List.of(
                new Column("id", ColumnType.INTEGER, false),
                new Column("body", ColumnType.TEXT, false),
                new Column("starts", ColumnType.TIMETZ, false)), List.of("id"), false);
        String table = "FLIGHTCDC.CDC.NOTES_CHANGES";
        Set<String> columns = new TreeSet<>(List.of("_UNAVAILABLE", "ID", "BODY", "STARTS"));
        MetadataColumn.CHANGE_TABLE.forEach(c -> columns.add(c.columnName().toUpperCase()));
        snowflake.table(table, columns);
        String placeholder = JSON.valueToTree(UnavailableValue.PLACEHOLDER).toString();
        SnowpipeStreamingWarehouse notesWarehouse = new SnowpipeStreamingWarehouse(snowflake.newClient(), "FLIGHTCDC", "CDC",
                "flightcdc-warehouse", t -> "flightcdc." + t, Duration.ofMillis(500));
        notesWarehouse.prepare(List.of(notes));
        try {
            LoadResult result = notesWarehouse.load(batch(
                    note(0, Operation.UPDATE, "{\"id\":1,\"body\":" + placeholder + ",\"starts\":null}"),
                    note(1, Operation.DELETE, "{\"id\":2,\"body\":null,\"starts\":null}"),
                    note(2, Operation.CREATE, "{\"id\":3,\"body\":\"b\",\"starts\":\"08:00:00Z\"}")));

            assertThat(result.applied()).isEqualTo(2);
            assertThat(result.deadLettered()).isEqualTo(1);
            List<Map<String, Object>> rows = snowflake.rows(table);
            assertThat(rows.get(0)).containsEntry("_UNAVAILABLE", "[\"body\"]").containsEntry("BODY", null)
                    .containsEntry("ID", 1L);
            assertThat(rows.get(1)).containsEntry("_UNAVAILABLE", "[\"body\",\"starts\"]").containsEntry("_OP", "d");
            assertThat((String) rows.get(2).get("_REJECTED_REASON"))
                    .startsWith("column starts: time with time zone arrives from Debezium as 08:00:00Z");
            assertThat(rows).noneSatisfy(row -> assertThat(row.values()).contains(UnavailableValue.PLACEHOLDER));
        } finally {
            notesWarehouse.close();
        }
    }

    private ChangeEvent note(long offset, Operation op, String row) throws Exception {
        return new ChangeEvent("flightcdc.public.notes", 0, offset, new TableId("public", "notes"), op,
                new SourcePosition(offset, offset + 1, 1L), 7L, 1_714_557_600_000L, JSON.readTree(row), row);
    }

    @Test
    void recordsThatAreNotChangesAreSetAsideInTheirPartitionsChannel() throws Exception {
        ChangeBatch batch = new ChangeBatch(List.of(change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}")),
                List.of(DeadLetter.unreadable(TOPIC, 0, nextOffset.merge(0, 1L, Long::sum) - 1, "not JSON", "{oops")),
                Map.of());

        LoadResult result = warehouse.load(batch);

        assertThat(result.deadLettered()).isEqualTo(1);
        assertThat(offsetsLoaded(0)).containsExactly(0L, 1L);
        assertThat(snowflake.rows(TABLE).get(1)).containsEntry("_REJECTED_REASON", "not JSON")
                .containsEntry("_REJECTED_EVENT", "{oops");
    }

    @Test
    void aChannelInvalidatedBeforeItsRowsCommitIsOpenedAgainAndTheBatchLandsOnce() throws Exception {
        warehouse.load(batch(change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}")));
        ChangeBatch second = batch(
                change(0, Operation.UPDATE, "{\"icao24\":\"aaa111\",\"velocity\":1.0}"),
                change(0, Operation.UPDATE, "{\"icao24\":\"aaa111\",\"velocity\":2.0}"));
        snowflake.invalidateAtFlush.add(CHANNEL_0);

        assertThatThrownBy(() -> warehouse.load(second)).hasMessageContaining("invalidated")
                .hasMessageContaining("sent again");
        // Camel's error handler delivers the same batch again.
        warehouse.load(second);

        assertThat(offsetsLoaded(0)).containsExactly(0L, 1L, 2L);
        assertThat(snowflake.committedToken(CHANNEL_0)).isEqualTo("2");
    }

    @Test
    void aFailureInTheMiddleOfABatchLeavesNothingTwiceAndNothingOut() throws Exception {
        ChangeBatch batch = batch(
                change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}"),
                change(1, Operation.CREATE, "{\"icao24\":\"bbb222\"}"),
                change(0, Operation.UPDATE, "{\"icao24\":\"aaa111\",\"velocity\":3.0}"),
                change(1, Operation.UPDATE, "{\"icao24\":\"bbb222\",\"velocity\":4.0}"));
        // Partition 0 is buffered, then partition 1 fails: nothing is flushed, and partition 0's rows wait in its channel.
        snowflake.failNextInsert.add(CHANNEL_1);

        assertThatThrownBy(() -> warehouse.load(batch)).hasMessageContaining("buffer full");
        // Partition 0's buffered rows may be flushed by the SDK on its own before the batch comes again.
        snowflake.newClient().flush();
        warehouse.load(batch);

        assertThat(offsetsLoaded(0)).containsExactly(0L, 1L);
        assertThat(offsetsLoaded(1)).containsExactly(0L, 1L);
    }

    @Test
    void aBatchSnowflakeDoesNotCommitInTimeFailsAndIsSentAgainWithoutDuplicates() throws Exception {
        snowflake.stalled = true;
        ChangeBatch batch = batch(change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}"),
                change(0, Operation.CREATE, "{\"icao24\":\"bbb222\"}"));

        assertThatThrownBy(() -> warehouse.load(batch)).hasMessageContaining("had not committed")
                .hasMessageContaining("after 500 ms");
        snowflake.stalled = false;
        warehouse.load(batch);

        assertThat(offsetsLoaded(0)).containsExactly(0L, 1L);
    }

    @Test
    void aRestartedLoaderResumesFromTheCommittedTokenAndSkipsWhatKafkaDeliversAgain() throws Exception {
        ChangeBatch first = batch(change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}"),
                change(0, Operation.CREATE, "{\"icao24\":\"bbb222\"}"));
        warehouse.load(first);
        warehouse.close();

        // The process restarts: its Kafka offsets were not committed, so Kafka delivers the batch again.
        warehouse = startProcess();
        warehouse.resume(Set.of(new KafkaPartition(TOPIC, 0), new KafkaPartition(TOPIC, 1)));
        assertThat(warehouse.progress()).containsEntry(new KafkaPartition(TOPIC, 0), PartitionProgress.newestUnknown(2))
                .containsEntry(new KafkaPartition(TOPIC, 1), new PartitionProgress(0, null, null));
        LoadResult again = warehouse.load(first);
        warehouse.load(batch(change(0, Operation.DELETE, "{\"icao24\":\"aaa111\"}")));

        assertThat(again.alreadyLoaded()).isEqualTo(2);
        assertThat(again.applied()).isZero();
        assertThat(offsetsLoaded(0)).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aNewLoaderFencesOffTheRowsAnOldOneStillBuffers() throws Exception {
        warehouse.load(batch(change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}")));
        snowflake.stalled = true;
        ChangeBatch pending = batch(change(0, Operation.CREATE, "{\"icao24\":\"bbb222\"}"));
        assertThatThrownBy(() -> warehouse.load(pending)).hasMessageContaining("had not committed");

        // A second loader takes the partition over (the first one hangs): its open invalidates the old channel.
        SnowpipeStreamingWarehouse successor = startProcess();
        successor.resume(Set.of(new KafkaPartition(TOPIC, 0)));
        snowflake.stalled = false;
        successor.load(pending);
        snowflake.newClient().flush();

        assertThat(offsetsLoaded(0)).containsExactly(0L, 1L);
        successor.close();
    }

    @Test
    void tombstonesMoveTheProgressButWriteNothing() throws Exception {
        ChangeEvent create = change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}");
        long tombstone = nextOffset.merge(0, 1L, Long::sum) - 1;

        warehouse.load(new ChangeBatch(List.of(create), List.of(), Map.of(new KafkaPartition(TOPIC, 0), tombstone + 1)));

        assertThat(offsetsLoaded(0)).containsExactly(0L);
        assertThat(warehouse.progress().get(new KafkaPartition(TOPIC, 0)).nextOffset()).isEqualTo(2);
    }

    /** The load route reads the transaction topic too; its ends load nothing, and it has no channel. */
    @Test
    void theTransactionTopicsOffsetsAreKafkasAlone() throws Exception {
        KafkaPartition transactions = new KafkaPartition("flightcdc.transaction", 0);
        ChangeEvent create = change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}");

        warehouse.load(new ChangeBatch(List.of(create), List.of(), Map.of(new KafkaPartition(TOPIC, 0), 1L, transactions, 7L)));

        assertThat(offsetsLoaded(0)).containsExactly(0L);
        assertThat(warehouse.progress()).containsOnlyKeys(new KafkaPartition(TOPIC, 0));
    }

    @Test
    void theWatermarkIsWrittenOnceEveryPartitionCommittedTheLoadWithItsHighestLastCommitLsn() throws Exception {
        ChangeEvent snapshotRead = snapshotRead(1, "{\"icao24\":\"snap01\"}");
        ChangeEvent first = change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}");
        ChangeEvent second = change(1, Operation.CREATE, "{\"icao24\":\"bbb222\"}");
        ChangeEvent third = change(0, Operation.UPDATE, "{\"icao24\":\"aaa111\",\"velocity\":1.0}");

        warehouse.load(batch(first, second, snapshotRead, third));

        assertThat(snowflake.rows(WATERMARK_TABLE)).singleElement().satisfies(row -> assertThat(row)
                .containsEntry("_LAST_COMMIT_LSN", third.position().lastCommitLsn()).containsKey("_LOADED_AT"));
        // One flush commits both partitions, in no particular order; the watermark is written after, and committed last.
        assertThat(snowflake.commits).hasSize(3).last().isEqualTo(WATERMARK_CHANNEL + "@0");
        assertThat(snowflake.commits.subList(0, 2)).containsExactlyInAnyOrder(CHANNEL_0 + "@1", CHANNEL_1 + "@1");
    }

    @Test
    void noWatermarkForSnapshotReadsAloneNorWhileAPartitionHasNotCommittedTheLoad() throws Exception {
        warehouse.load(batch(snapshotRead(0, "{\"icao24\":\"snap01\"}")));
        assertThat(snowflake.rows(WATERMARK_TABLE)).isEmpty();
        ChangeBatch batch = batch(change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}"),
                change(1, Operation.CREATE, "{\"icao24\":\"bbb222\"}"));
        snowflake.invalidateAtFlush.add(CHANNEL_1);

        assertThatThrownBy(() -> warehouse.load(batch)).hasMessageContaining("invalidated");
        assertThat(offsetsLoaded(0)).containsExactly(0L, 1L);
        assertThat(snowflake.rows(WATERMARK_TABLE)).isEmpty();

        warehouse.load(batch);
        assertThat(snowflake.rows(WATERMARK_TABLE)).extracting(row -> row.get("_LAST_COMMIT_LSN"))
                .containsExactly(batch.changes().get(1).position().lastCommitLsn());
    }

    /**
     * The batch comes again and Snowflake had committed all its rows: they are skipped, and the watermark is
     * written from them, or the transaction would not show until a later load.
     */
    @Test
    void aLoadWhoseWatermarkSnowflakeRefusesFailsAndWritesItWhenItComesAgain() throws Exception {
        ChangeBatch batch = batch(change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}"),
                change(1, Operation.CREATE, "{\"icao24\":\"bbb222\"}"));
        snowflake.refuse = row -> row.containsKey("_KAFKA_OFFSET") ? null : "the table is dropped";

        assertThatThrownBy(() -> warehouse.load(batch)).hasMessageContaining("refused the load watermark row")
                .hasMessageContaining("the table is dropped");
        assertThat(snowflake.rows(WATERMARK_TABLE)).isEmpty();
        snowflake.refuse = row -> null;
        LoadResult again = warehouse.load(batch);

        assertThat(again.alreadyLoaded()).isEqualTo(2);
        assertThat(offsetsLoaded(0)).containsExactly(0L);
        assertThat(offsetsLoaded(1)).containsExactly(0L);
        assertThat(snowflake.rows(WATERMARK_TABLE)).extracting(row -> row.get("_LAST_COMMIT_LSN"))
                .containsExactly(batch.changes().get(1).position().lastCommitLsn());
    }

    @Test
    void aLoadWhoseWatermarkCannotBeWrittenFailsAndWritesItWhenItComesAgain() throws Exception {
        warehouse.load(batch(change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}")));
        ChangeBatch batch = batch(change(0, Operation.CREATE, "{\"icao24\":\"bbb222\"}"));
        snowflake.failNextInsert.add(WATERMARK_CHANNEL);

        assertThatThrownBy(() -> warehouse.load(batch)).hasMessageContaining("buffer full");
        assertThat(snowflake.rows(WATERMARK_TABLE)).hasSize(1);
        warehouse.load(batch);

        assertThat(offsetsLoaded(0)).containsExactly(0L, 1L);
        assertThat(snowflake.committedToken(WATERMARK_CHANNEL)).isEqualTo("1");
        assertThat(snowflake.rows(WATERMARK_TABLE)).extracting(row -> row.get("_LAST_COMMIT_LSN"))
                .containsExactly(999L, batch.changes().get(0).position().lastCommitLsn());
    }

    @Test
    void aWatermarkChannelInvalidatedBetweenLoadsIsOpenedAgainAndNumbersOn() throws Exception {
        warehouse.load(batch(change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}")));
        // Invalidated at the flush of the next load's partition rows, before its watermark is written.
        snowflake.invalidateAtFlush.add(WATERMARK_CHANNEL);

        warehouse.load(batch(change(0, Operation.CREATE, "{\"icao24\":\"bbb222\"}")));

        assertThat(snowflake.committedToken(WATERMARK_CHANNEL)).isEqualTo("1");
        assertThat(snowflake.rows(WATERMARK_TABLE)).hasSize(2);
    }

    @Test
    void aRestartedLoaderNumbersItsWatermarksOnFromTheCommittedToken() throws Exception {
        warehouse.load(batch(change(0, Operation.CREATE, "{\"icao24\":\"aaa111\"}")));
        warehouse.load(batch(change(0, Operation.CREATE, "{\"icao24\":\"bbb222\"}")));
        assertThat(snowflake.committedToken(WATERMARK_CHANNEL)).isEqualTo("1");
        warehouse.close();

        warehouse = startProcess();
        ChangeEvent next = change(0, Operation.DELETE, "{\"icao24\":\"aaa111\"}");
        warehouse.load(batch(next));

        assertThat(snowflake.committedToken(WATERMARK_CHANNEL)).isEqualTo("2");
        assertThat(snowflake.rows(WATERMARK_TABLE)).extracting(row -> row.get("_LAST_COMMIT_LSN")).hasSize(3)
                .last().isEqualTo(next.position().lastCommitLsn());
    }

    private List<Long> offsetsLoaded(int partition) {
        return snowflake.rows(TABLE).stream()
                .filter(r -> r.get("_KAFKA_PARTITION").equals(partition))
                .map(r -> (Long) r.get("_KAFKA_OFFSET"))
                .sorted()
                .toList();
    }

    /** A snapshot read: no transaction, so no last commit LSN. */
    private ChangeEvent snapshotRead(int partition, String row) throws Exception {
        long offset = nextOffset.merge(partition, 1L, Long::sum) - 1;
        return new ChangeEvent(TOPIC, partition, offset, FLIGHTS, Operation.READ, new SourcePosition(0, 0, null), null,
                1_714_557_600_000L, JSON.readTree(row), row);
    }

    private static ChangeBatch batch(ChangeEvent... changes) {
        return ChangeBatch.of(List.of(changes));
    }

    private ChangeEvent change(int partition, Operation op, String row) {
        long offset = nextOffset.merge(partition, 1L, Long::sum) - 1;
        long position = lsn++;
        try {
            return new ChangeEvent(TOPIC, partition, offset, FLIGHTS, op, new SourcePosition(position - 1, position, 1L), 7L,
                    1_714_557_600_000L + offset, JSON.readTree(row), "{\"after\":" + row + "}");
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
