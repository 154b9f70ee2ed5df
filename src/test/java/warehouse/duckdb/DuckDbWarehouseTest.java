package warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.DeadLetter;
import warehouse.DerivedViews;
import warehouse.KafkaPartition;
import warehouse.PartitionProgress;
import warehouse.SourcePosition;
import warehouse.TestPositions;
import warehouse.ChangeEvent.Operation;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.LoadRefusedException;
import warehouse.LoadResult;
import warehouse.SchemaEvolution;
import warehouse.TableId;
import warehouse.QueryRows;
import warehouse.TableSchema;
import warehouse.UnavailableValue;

class DuckDbWarehouseTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableId TABLE = new TableId("public", "flight_state");
    private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("callsign", ColumnType.TEXT, false),
            new Column("last_contact", ColumnType.TIMESTAMPTZ, false),
            new Column("velocity", ColumnType.DOUBLE, false),
            new Column("on_ground", ColumnType.BOOLEAN, false),
            new Column("sensors", ColumnType.INTEGER, true),
            new Column("category", ColumnType.SMALLINT, false)), List.of("icao24"));

    @TempDir
    Path dir;
    private DuckDbWarehouse warehouse;
    private long offset;
    private final TestPositions positions = new TestPositions();

    @BeforeEach
    void open() throws Exception {
        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"));
        warehouse.prepare(List.of(SCHEMA));
    }

    @AfterEach
    void close() throws Exception {
        warehouse.close();
    }

    /** Set on the database, so verify's or a query's connection of the same process opens it as before. */
    @Test
    void aMemoryLimitIsTheDatabasesAndOtherConnectionsOfTheProcessStillOpenTheFile() throws Exception {
        Path file = dir.resolve("limited.duckdb");
        try (DuckDbWarehouse limited = DuckDbWarehouse.open(file, DerivedViews.NONE, 2, Optional.of("64MB"));
                Connection reader = limited.newReader();
                Connection other = DuckDbConnections.open(file);
                ResultSet setting = reader.createStatement().executeQuery("SELECT current_setting('memory_limit')");
                ResultSet seen = other.createStatement().executeQuery("SELECT current_setting('memory_limit')")) {
            assertThat(setting.next()).isTrue();
            assertThat(setting.getString(1)).isEqualTo("61.0 MiB"); // 64,000,000 bytes
            assertThat(seen.next()).isTrue();
            assertThat(seen.getString(1)).isEqualTo("61.0 MiB");
        }
        assertThatThrownBy(() -> DuckDbWarehouse.open(dir.resolve("x.duckdb"), DerivedViews.NONE, 1, Optional.of("64XB")))
                .isInstanceOf(SQLException.class)
                .hasMessageStartingWith("DuckDB refused flightcdc.warehouse.duckdb-memory-limit 64XB: ")
                .hasMessageEndingWith(". Fix: give it as a size, e.g. 64MB or 2GB");
    }

    /** DuckDB's own message names only its SQL; the loader's names the setting, and the batch is not applied. */
    @Test
    void runningOutOfMemoryUnderTheLimitNamesTheSettingAndAppliesNothing() throws Exception {
        try (DuckDbWarehouse limited = DuckDbWarehouse.open(dir.resolve("tiny.duckdb"), DerivedViews.NONE, 1, Optional.of("1MB"))) {
            limited.prepare(List.of(SCHEMA));
            List<ChangeEvent> changes = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                changes.add(change(Operation.CREATE, "{\"icao24\":\"" + Integer.toHexString(0x100000 + i) + "\",\"callsign\":\"DLH"
                        + i + "\",\"last_contact\":\"2024-05-01T10:00:00Z\",\"velocity\":230.5,\"on_ground\":false,"
                        + "\"sensors\":[1,2],\"category\":3}"));
            }
            assertThatThrownBy(() -> limited.load(ChangeBatch.of(changes)))
                    .isInstanceOf(SQLException.class)
                    .hasMessageStartingWith("DuckDB ran out of memory loading a batch, under flightcdc.warehouse.duckdb-memory-limit=1MB;"
                            + " the batch is retried and nothing past it is committed: ")
                    .hasMessageContaining("could not allocate")
                    .hasMessageEndingWith(". Fix: raise flightcdc.warehouse.duckdb-memory-limit, or leave it empty for DuckDB's own");
            assertThat(limited.progress()).isEmpty();
            try (Connection reader = limited.newReader()) {
                assertThat(QueryRows.of(reader, "SELECT count(*) FROM flight_state_history")).containsExactly("0");
            }
        }
    }

    @Test
    void appliesInsertsUpdatesAndDeletesAndKeepsEveryChangeInHistory() throws Exception {
        warehouse.load(batch(
                change(Operation.CREATE, "{\"icao24\":\"abc123\",\"callsign\":\"DLH1    \",\"last_contact\":\"2024-05-01T10:00:00Z\","
                        + "\"velocity\":230.5,\"on_ground\":false,\"sensors\":[1,2],\"category\":3}"),
                change(Operation.CREATE, "{\"icao24\":\"def456\",\"callsign\":null,\"last_contact\":null,"
                        + "\"velocity\":null,\"on_ground\":null,\"sensors\":null,\"category\":null}")));
        warehouse.load(batch(
                change(Operation.UPDATE, "{\"icao24\":\"abc123\",\"callsign\":\"Zürich✈\",\"last_contact\":\"2024-05-01T10:00:05Z\","
                        + "\"velocity\":1.0E10,\"on_ground\":true,\"sensors\":[],\"category\":3}"),
                change(Operation.DELETE, "{\"icao24\":\"def456\"}")));

        assertThat(rows("SELECT icao24, callsign, epoch(last_contact), velocity, on_ground, sensors, category FROM flight_state"))
                .containsExactly("abc123|Zürich✈|1.714557605E9|1.0E10|true|[]|3");
        assertThat(rows("SELECT _op, icao24, _kafka_offset FROM flight_state_history ORDER BY _kafka_offset"))
                .containsExactly("c|abc123|0", "c|def456|1", "u|abc123|2", "d|def456|3");
    }

    @Test
    void lastChangeOfAKeyWinsWithinOneBatch() throws Exception {
        warehouse.load(batch(
                change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}"),
                change(Operation.DELETE, "{\"icao24\":\"aaaaaa\"}"),
                change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"TWO\"}"),
                change(Operation.CREATE, "{\"icao24\":\"bbbbbb\",\"callsign\":\"GONE\"}"),
                change(Operation.DELETE, "{\"icao24\":\"bbbbbb\"}")));

        assertThat(rows("SELECT icao24, callsign FROM flight_state")).containsExactly("aaaaaa|TWO");
        assertThat(rows("SELECT count(*) FROM flight_state_history")).containsExactly("5");
    }

    /**
     * After a load that leaves DuckDB's WAL large, the file is checkpointed beside the loader (BackgroundCheckpoints), not
     * in a later load's commit. DuckDB's own checkpoints in commits are put out of reach here, so only that one shrinks it.
     */
    @Test
    void aLoadThatLeavesTheWalLargeHasItCheckpointedBesideTheLoader() throws Exception {
        Path wal = dir.resolve("w.duckdb.wal");
        try (Connection other = warehouse.newReader(); Statement s = other.createStatement()) {
            s.execute("SET checkpoint_threshold = '1GB'");
            // In parts smaller than a row group (122,880 rows): DuckDB writes a larger insert straight into the file.
            s.execute("CREATE TABLE padding AS SELECT range AS id, repeat('x', 200) || range AS text FROM range(100000)");
            s.execute("INSERT INTO padding SELECT range AS id, repeat('x', 200) || range AS text FROM range(100000, 200000)");
        }
        assertThat(Files.size(wal)).isGreaterThanOrEqualTo(BackgroundCheckpoints.START_BYTES);

        warehouse.load(batch(change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}")));

        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(wal) || Files.size(wal) < BackgroundCheckpoints.START_BYTES);
        assertThat(rows("SELECT count(*) FROM padding")).containsExactly("200000");
        assertThat(rows("SELECT count(*) FROM flight_state")).containsExactly("1");
    }

    @Test
    void aRedeliveredBatchChangesNothing() throws Exception {
        List<ChangeEvent> batch = List.of(
                change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}"),
                change(Operation.DELETE, "{\"icao24\":\"aaaaaa\"}"));
        warehouse.load(ChangeBatch.of(batch));

        LoadResult again = warehouse.load(ChangeBatch.of(batch));

        assertThat(again.alreadyLoaded()).isEqualTo(2);
        assertThat(rows("SELECT count(*) FROM flight_state")).containsExactly("0");
        assertThat(rows("SELECT count(*) FROM flight_state_history")).containsExactly("2");
    }

    @Test
    void loadedOffsetsSurviveAReopen() throws Exception {
        List<ChangeEvent> batch = List.of(change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}"));
        warehouse.load(ChangeBatch.of(batch));
        warehouse.close();

        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"));
        warehouse.prepare(List.of(SCHEMA));

        assertThat(warehouse.load(ChangeBatch.of(batch)).alreadyLoaded()).isEqualTo(1);
        assertThat(rows("SELECT count(*) FROM flight_state_history")).containsExactly("1");
    }

    @Test
    void aWarehouseMadeByTheFirstReleaseKeepsItsOffsetsAndGainsTheNewerProgressColumns() throws Exception {
        Path old = dir.resolve("first-release.duckdb");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + old.toAbsolutePath());
             Statement s = c.createStatement()) {
            // The progress table as the first release made it, before it stored source positions.
            s.execute("CREATE TABLE _flightcdc_kafka_offsets (topic VARCHAR, \"partition\" INTEGER,"
                    + " next_offset BIGINT NOT NULL, PRIMARY KEY (topic, \"partition\"))");
            s.execute("INSERT INTO _flightcdc_kafka_offsets VALUES ('flightcdc.public.flight_state', 0, 2)");
        }
        warehouse.close();
        warehouse = DuckDbWarehouse.open(old);
        warehouse.prepare(List.of(SCHEMA));
        KafkaPartition partition = new KafkaPartition("flightcdc.public.flight_state", 0);
        assertThat(warehouse.progress()).containsExactly(Map.entry(partition, PartitionProgress.newestUnknown(2)));

        offset = 1; // the last offset the first release loaded, followed by one it had not
        LoadResult result = warehouse.load(batch(
                change(Operation.CREATE, 100, 110, "{\"icao24\":\"aaaaaa\"}"),
                change(Operation.CREATE, 100, 120, "{\"icao24\":\"bbbbbb\"}")));

        assertThat(result.alreadyLoaded()).isEqualTo(1);
        assertThat(rows("SELECT icao24 FROM flight_state")).containsExactly("bbbbbb");
        assertThat(rows("SELECT * FROM _flightcdc_kafka_offsets")).containsExactly("flightcdc.public.flight_state|0|3|100|120|2|null|null|null");
    }

    @Test
    void changesTheCaptureEmitsAgainAfterARestartAreSkippedAndADeletedRowStaysDeleted() throws Exception {
        ChangeEvent created = change(Operation.CREATE, 100, 110, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}");
        ChangeEvent updated = change(Operation.UPDATE, 100, 120, "{\"icao24\":\"aaaaaa\",\"callsign\":\"TWO\"}");
        ChangeEvent deleted = change(Operation.DELETE, 130, 140, "{\"icao24\":\"aaaaaa\"}");
        warehouse.load(batch(created, updated));
        // Debezium restarted from the commit before the transaction of the create and the update: Kafka now
        // holds them and the delete after them again, at new offsets, in the same batch as the first delivery.
        LoadResult result = warehouse.load(batch(deleted, again(created), again(updated), again(deleted)));
        LoadResult later = warehouse.load(batch(again(created), again(updated)));

        assertThat(result.applied()).isEqualTo(1);
        assertThat(result.replayed()).isEqualTo(3);
        assertThat(later.replayed()).isEqualTo(2);
        assertThat(result.unexplained()).isEmpty();
        assertThat(later.unexplained()).isEmpty();
        assertThat(rows("SELECT count(*) FROM flight_state")).containsExactly("0");
        assertThat(rows("SELECT _op, callsign FROM flight_state_history ORDER BY _kafka_offset"))
                .containsExactly("c|ONE", "u|TWO", "d|null");
    }

    @Test
    void aPrimaryKeyUpdateAppliesBothItsDeleteAndItsCreateFromOneWalRecord() throws Exception {
        warehouse.load(batch(change(Operation.CREATE, 100, 110, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}")));
        warehouse.load(batch(
                change(Operation.DELETE, 200, 210, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}"),
                change(Operation.CREATE, 200, 210, "{\"icao24\":\"bbbbbb\",\"callsign\":\"ONE\"}")));

        assertThat(rows("SELECT icao24, callsign FROM flight_state")).containsExactly("bbbbbb|ONE");
    }

    @Test
    void snapshotReadsShareOnePositionAndAreAllLoaded() throws Exception {
        warehouse.load(batch(
                change(Operation.READ, 0, 500, "{\"icao24\":\"aaaaaa\"}"),
                change(Operation.READ, 0, 500, "{\"icao24\":\"bbbbbb\"}"),
                change(Operation.CREATE, 500, 510, "{\"icao24\":\"cccccc\"}")));

        assertThat(rows("SELECT icao24 FROM flight_state ORDER BY icao24")).containsExactly("aaaaaa", "bbbbbb", "cccccc");
    }

    @Test
    void aWarehouseThatLoadedOnlySnapshotReadsRefusesAStreamedChangeItNeverSawAfterAReopen() throws Exception {
        warehouse.load(batch(
                change(Operation.READ, 0, 500, "{\"icao24\":\"aaaaaa\"}"),
                change(Operation.READ, 0, 500, "{\"icao24\":\"bbbbbb\"}")));
        warehouse.close();
        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"));
        warehouse.prepare(List.of(SCHEMA));
        // The topic was created anew: offset 1 now holds a change made after the snapshot.
        offset = 1;

        assertThatThrownBy(() -> warehouse.load(batch(change(Operation.CREATE, 600, 610, "{\"icao24\":\"cccccc\"}"))))
                .isInstanceOf(LoadRefusedException.class);
        assertThat(rows("SELECT count(*) FROM flight_state")).containsExactly("2");
    }

    @Test
    void aSnapshotThatStartsOverReplacesTheRowsOfTheOneCutOffBefore() throws Exception {
        warehouse.load(batch(
                change(Operation.READ, 0, 500, "{\"icao24\":\"aaaaaa\",\"callsign\":\"OLD\"}"),
                change(Operation.READ, 0, 500, "{\"icao24\":\"bbbbbb\"}")));
        // bbbbbb was deleted before the second snapshot, which is all there is of it: no delete will come.
        warehouse.load(batch(
                change(Operation.SNAPSHOT_START, 0, 899, "{}"),
                change(Operation.READ, 0, 900, "{\"icao24\":\"aaaaaa\",\"callsign\":\"NEW\"}"),
                change(Operation.READ, 0, 900, "{\"icao24\":\"cccccc\"}"),
                change(Operation.CREATE, 950, 960, "{\"icao24\":\"dddddd\"}")));

        assertThat(rows("SELECT icao24, callsign FROM flight_state ORDER BY icao24"))
                .containsExactly("aaaaaa|NEW", "cccccc|null", "dddddd|null");
        assertThat(rows("SELECT _op FROM flight_state_history ORDER BY _kafka_offset")).containsExactly("r", "r", "t", "r", "r", "c");
        // Not a change in the source's stream: the newest position is the create's.
        assertThat(warehouse.progress().values()).singleElement().extracting(p -> p.newest().lsn()).isEqualTo(960L);
    }

    @Test
    void theNewestSourcePositionSurvivesAReopen() throws Exception {
        ChangeEvent created = change(Operation.CREATE, 100, 110, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}");
        warehouse.load(batch(created));
        warehouse.close();

        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"));
        warehouse.prepare(List.of(SCHEMA));

        assertThat(warehouse.load(batch(again(created))).replayed()).isEqualTo(1);
        assertThat(rows("SELECT count(*) FROM flight_state_history")).containsExactly("1");
    }

    /**
     * {@code count} changes made in order, each the one {@code special} makes for its index or, where that gives null, a
     * create of row ok000&lt;index&gt;.
     */
    private List<ChangeEvent> createsWith(int count, SpecialChange special) throws Exception {
        List<ChangeEvent> changes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ChangeEvent change = special.at(i);
            changes.add(change != null ? change
                    : change(Operation.CREATE, "{\"icao24\":\"ok000" + i + "\",\"velocity\":" + i + "}"));
        }
        return changes;
    }

    private interface SpecialChange {
        ChangeEvent at(int index) throws Exception;
    }

    @Test
    void aChangeTheWarehouseRefusesIsSetAsideWithItsReasonAndTheRestIsApplied() throws Exception {
        List<ChangeEvent> changes = createsWith(11, i -> i == 6
                ? change(Operation.CREATE, "{\"icao24\":\"bad001\",\"velocity\":\"not a number\"}") : null);
        ChangeEvent bad = changes.get(6);

        LoadResult result = warehouse.load(ChangeBatch.of(changes));

        assertThat(result.applied()).isEqualTo(10);
        assertThat(result.deadLettered()).isEqualTo(1);
        assertThat(rows("SELECT count(*) FROM flight_state")).containsExactly("10");
        assertThat(rows("SELECT count(*) FROM flight_state_history")).containsExactly("10");
        assertThat(rows("SELECT kafka_offset, source_table, event FROM _flightcdc_dead_letter"))
                .containsExactly(bad.offset() + "|public.flight_state|" + bad.raw());
        assertThat(rows("SELECT reason FROM _flightcdc_dead_letter")).singleElement().asString()
                .contains("not a number");
        // Set aside for good: delivered again, it is not retried.
        assertThat(warehouse.load(ChangeBatch.of(List.of(bad))).alreadyLoaded()).isEqualTo(1);
    }

    /**
     * A batch the warehouse refuses is loaded in halves; a change whose values cannot be loaded exactly, in one of the
     * halves, is set aside by the half that renders it: each of the two once, and every other change applied.
     */
    @Test
    void aValueRefusedBeforeLoadingAndOneTheWarehouseRefusesInOneBatchAreEachSetAsideOnce() throws Exception {
        String unchanged = JSON.writeValueAsString(UnavailableValue.PLACEHOLDER);
        List<ChangeEvent> changes = createsWith(12, i -> switch (i) {
            case 2 -> change(Operation.UPDATE, "{\"icao24\":" + unchanged + ",\"velocity\":1}");
            case 8 -> change(Operation.CREATE, "{\"icao24\":\"bad001\",\"velocity\":\"not a number\"}");
            default -> null;
        });
        ChangeEvent keyless = changes.get(2);
        ChangeEvent bad = changes.get(8);

        LoadResult result = warehouse.load(ChangeBatch.of(changes));

        assertThat(result.applied()).isEqualTo(10);
        assertThat(result.deadLetters()).extracting(DeadLetter::offset, DeadLetter::cause).containsExactlyInAnyOrder(
                tuple(keyless.offset(), DeadLetter.Cause.REFUSED_VALUE),
                tuple(bad.offset(), DeadLetter.Cause.REFUSED_BY_WAREHOUSE));
        assertThat(rows("SELECT count(*), count(DISTINCT _kafka_offset) FROM flight_state_history")).containsExactly("10|10");
        assertThat(rows("SELECT kafka_offset FROM _flightcdc_dead_letter ORDER BY kafka_offset"))
                .containsExactly(String.valueOf(keyless.offset()), String.valueOf(bad.offset()));
    }

    @Test
    void aRecordThatIsNotAChangeEventIsSetAsideAndTheBatchGoesOn() throws Exception {
        DeadLetter unreadable = DeadLetter.unreadable("flightcdc.public.flight_state", 0, offset++,
                "not a change event: not JSON", "garbage");
        ChangeEvent after = change(Operation.CREATE, "{\"icao24\":\"aaaaaa\"}");

        LoadResult result = warehouse.load(new ChangeBatch(List.of(after), List.of(unreadable), Map.of()));

        assertThat(result.applied()).isEqualTo(1);
        assertThat(rows("SELECT kafka_offset, reason, event FROM _flightcdc_dead_letter"))
                .containsExactly(unreadable.offset() + "|not a change event: not JSON|garbage");
    }

    @Test
    void aBatchEndingWithATombstoneIsLoadedPastIt() throws Exception {
        ChangeEvent deleted = change(Operation.DELETE, "{\"icao24\":\"aaaaaa\"}");
        long tombstone = offset++;
        KafkaPartition partition = new KafkaPartition(deleted.topic(), deleted.partition());

        warehouse.load(new ChangeBatch(List.of(deleted), List.of(), Map.of(partition, tombstone + 1)));

        // The consumer group commits past the tombstone; the warehouse must say the same, or they would disagree.
        assertThat(warehouse.progress().get(partition).nextOffset()).isEqualTo(tombstone + 1);
    }

    @Test
    void aChangeForATableTheWarehouseDoesNotHaveIsSetAside() throws Exception {
        ChangeEvent stranger = new ChangeEvent("flightcdc.public.other", 0, 0, new TableId("public", "other"),
                Operation.CREATE, new SourcePosition(1, 2, 1L), 7L, 0, JSON.readTree("{\"id\":1}"), "{}");

        assertThat(warehouse.load(batch(stranger)).deadLettered()).isEqualTo(1);
        assertThat(rows("SELECT reason FROM _flightcdc_dead_letter")).singleElement().asString()
                .contains("flightcdc.source.tables");
    }

    @Test
    void aTruncateEmptiesTheCurrentStateBetweenTheChangesBeforeAndAfterIt() throws Exception {
        warehouse.load(batch(
                change(Operation.CREATE, "{\"icao24\":\"aaaaaa\"}"),
                change(Operation.CREATE, "{\"icao24\":\"bbbbbb\"}"),
                change(Operation.TRUNCATE, "{}"),
                change(Operation.CREATE, "{\"icao24\":\"cccccc\"}")));

        assertThat(rows("SELECT icao24 FROM flight_state")).containsExactly("cccccc");
        assertThat(rows("SELECT _op, icao24 FROM flight_state_history ORDER BY _kafka_offset"))
                .containsExactly("c|aaaaaa", "c|bbbbbb", "t|null", "c|cccccc");
    }

    /**
     * Two partitions, loaded each at its own pace: partition 1 has loaded its copy of the TRUNCATE and a row created
     * after it before partition 0 reaches its copy. Partition 0's copy empties partition 0's rows only; emptying the
     * whole table there would lose the row created after the TRUNCATE.
     */
    @Test
    void aTruncateReadFromOnePartitionEmptiesThatPartitionsRows() throws Exception {
        ChangeEvent before0 = change(Operation.CREATE, "{\"icao24\":\"aaaaaa\"}");
        ChangeEvent truncate0 = change(Operation.TRUNCATE, "{}");
        ChangeEvent before1 = inPartition(1, change(Operation.CREATE, "{\"icao24\":\"bbbbbb\"}"));
        ChangeEvent truncate1 = inPartition(1, change(Operation.TRUNCATE, "{}"));
        ChangeEvent after1 = inPartition(1, change(Operation.CREATE, "{\"icao24\":\"cccccc\"}"));

        warehouse.load(batch(before0));
        warehouse.load(batch(before1, truncate1, after1));
        assertThat(rows("SELECT icao24 FROM flight_state ORDER BY icao24")).containsExactly("aaaaaa", "cccccc");
        warehouse.load(batch(truncate0));

        assertThat(rows("SELECT icao24 FROM flight_state")).containsExactly("cccccc");
        // The history holds the TRUNCATE once, partition 0's copy.
        assertThat(rows("SELECT _op, _kafka_partition FROM flight_state_history WHERE _op = 't'")).containsExactly("t|0");
    }

    @Test
    void aColumnTheSourceGainedIsAddedToTheWarehouseAndLoaded() throws Exception {
        TableSchema widened = new TableSchema(TABLE, concat(SCHEMA.columns(), new Column("remark", ColumnType.TEXT, false)),
                SCHEMA.primaryKey());
        SchemaEvolution evolution = new SchemaEvolution(table -> widened, warehouse, List.of(SCHEMA));
        warehouse.load(batch(change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"OLD\"}")));

        // "gust" is in the change but no longer in the catalog: dropped again since. Its values are kept as text.
        warehouse.load(evolution.follow(batch(
                change(Operation.CREATE, "{\"icao24\":\"bbbbbb\",\"remark\":\"new column\",\"gust\":12.5}"))));

        assertThat(rows("SELECT icao24, remark, gust FROM flight_state ORDER BY icao24"))
                .containsExactly("aaaaaa|null|null", "bbbbbb|new column|12.5");
        assertThat(rows("SELECT remark FROM flight_state_history ORDER BY _kafka_offset")).containsExactly("null", "new column");
    }

    @Test
    void aColumnTheSourceDroppedStaysInTheWarehouseAfterAReopen() throws Exception {
        warehouse.load(batch(change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"KEPT\"}")));
        warehouse.close();
        TableSchema narrowed = new TableSchema(TABLE,
                SCHEMA.columns().stream().filter(c -> !c.name().equals("callsign")).toList(), SCHEMA.primaryKey());

        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"));
        warehouse.prepare(List.of(narrowed));
        warehouse.load(batch(change(Operation.CREATE, "{\"icao24\":\"bbbbbb\"}")));

        assertThat(rows("SELECT icao24, callsign FROM flight_state ORDER BY icao24"))
                .containsExactly("aaaaaa|KEPT", "bbbbbb|null");
    }

    private static List<Column> concat(List<Column> columns, Column more) {
        List<Column> all = new ArrayList<>(columns);
        all.add(more);
        return all;
    }

    /**
     * DuckDB invalidates its database after a fatal error (a failed checkpoint here; a full disk in the field) and
     * refuses every statement after it. The batch that met it fails; the warehouse opens the file again, and the
     * batch tried again is loaded, with nothing lost of what was committed before.
     */
    @Test
    void aDatabaseDuckDbInvalidatedIsOpenedAgainAndTheBatchLoadedOnTheNextTry() throws Exception {
        warehouse.load(batch(change(Operation.CREATE, "{\"icao24\":\"abc123\",\"callsign\":\"DLH1\"}")));
        try (Connection reader = warehouse.newReader(); Statement s = reader.createStatement()) {
            s.execute("SET debug_checkpoint_abort = 'before_header'");
            assertThatThrownBy(() -> s.execute("CHECKPOINT")).hasMessageContaining("FATAL Error");
        }
        ChangeBatch next = batch(change(Operation.CREATE, "{\"icao24\":\"def456\",\"callsign\":\"SWR2\"}"));

        assertThatThrownBy(() -> warehouse.load(next)).hasMessageContaining("database has been invalidated");
        LoadResult retried = warehouse.load(next);

        assertThat(retried.applied()).isEqualTo(1);
        assertThat(rows("SELECT icao24, callsign FROM flight_state ORDER BY icao24")).containsExactly("abc123|DLH1", "def456|SWR2");
        assertThat(rows("SELECT _op, icao24 FROM flight_state_history ORDER BY _kafka_offset")).containsExactly("c|abc123", "c|def456");
        assertThat(warehouse.progress().get(new KafkaPartition("flightcdc.public.flight_state", 0)).nextOffset()).isEqualTo(2);
    }

    private ChangeEvent change(Operation op, String row) throws Exception {
        return change(op, 1000 + offset, 1000 + offset, row);
    }

    private ChangeEvent change(Operation op, long lastCommitLsn, long lsn, String row) throws Exception {
        long o = offset++;
        return new ChangeEvent("flightcdc.public.flight_state", 0, o, TABLE, op, positions.next(lastCommitLsn, lsn),
                7L, 1_714_557_600_000L + o, JSON.readTree(row), "{\"op\":\"" + op.code() + "\",\"offset\":" + o + "}");
    }

    /** The change as read from another partition, from its own offsets. */
    private static ChangeEvent inPartition(int partition, ChangeEvent e) {
        return new ChangeEvent(e.topic(), partition, e.offset(), e.table(), e.operation(), e.position(), e.txId(),
                e.sourceTsMs(), e.row(), e.raw());
    }

    /** The same change, as Kafka holds it a second time when Debezium emitted it again. */
    private ChangeEvent again(ChangeEvent e) {
        return new ChangeEvent(e.topic(), e.partition(), offset++, e.table(), e.operation(), e.position(), e.txId(),
                e.sourceTsMs(), e.row(), e.raw());
    }

    private static ChangeBatch batch(ChangeEvent... changes) {
        return ChangeBatch.of(List.of(changes));
    }

    private List<String> rows(String sql) throws Exception {
        try (Connection c = warehouse.newReader()) {
            return QueryRows.of(c, sql);
        }
    }
}
