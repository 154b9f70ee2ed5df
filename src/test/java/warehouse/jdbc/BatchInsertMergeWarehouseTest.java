package warehouse.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBConnection;
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
import warehouse.LoadResult;
import warehouse.MergeSqlGenerator;
import warehouse.PartitionProgress;
import warehouse.QueryRows;
import warehouse.SourcePosition;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.TestPositions;
import warehouse.duckdb.DuckDbDialect;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * The loader Snowflake's JDBC MERGE mode runs, {@link MergeWarehouse} staging with {@link BatchInsertStager},
 * run on DuckDB over plain JDBC: everything but the dialect's SQL text, without a Snowflake account. Each
 * case loads the same batches into a second warehouse through DuckDB's appender and expects both to hold
 * the same.
 */
class BatchInsertMergeWarehouseTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableId TABLE = new TableId("public", "flight_state");
    private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("callsign", ColumnType.TEXT, false),
            new Column("last_contact", ColumnType.TIMESTAMPTZ, false),
            new Column("velocity", ColumnType.DOUBLE, false),
            new Column("on_ground", ColumnType.BOOLEAN, false),
            new Column("sensors", ColumnType.INTEGER, true)), List.of("icao24"));

    private static final String CURRENT = "SELECT icao24, callsign, epoch(last_contact), velocity, on_ground, sensors"
            + " FROM flight_state ORDER BY icao24";
    /** All but the load time, which differs between the two warehouses. */
    private static final String HISTORY = "SELECT _op, _lsn, _tx_id, epoch_ms(_source_ts), _kafka_topic, _kafka_partition,"
            + " _kafka_offset, icao24, callsign, epoch(last_contact), velocity, on_ground, sensors"
            + " FROM flight_state_history ORDER BY _kafka_offset";
    private static final String DEAD_LETTERS = "SELECT kafka_topic, kafka_partition, kafka_offset, source_table, reason,"
            + " event FROM _flightcdc_dead_letter ORDER BY kafka_offset";
    private static final String PROGRESS = "SELECT * FROM _flightcdc_kafka_offsets ORDER BY topic, \"partition\"";

    @TempDir
    Path dir;
    private DuckDBConnection batchInsertConnection;
    private MergeWarehouse batchInsert;
    private DuckDbWarehouse appender;
    private long offset;
    private final TestPositions positions = new TestPositions();

    @BeforeEach
    void open() throws Exception {
        openBatchInsert();
        appender = DuckDbWarehouse.open(dir.resolve("appender.duckdb"));
        appender.prepare(List.of(SCHEMA));
    }

    private void openBatchInsert() throws SQLException {
        batchInsertConnection = (DuckDBConnection) DriverManager.getConnection(
                "jdbc:duckdb:" + dir.resolve("batch-insert.duckdb").toAbsolutePath());
        DuckDbDialect dialect = new DuckDbDialect();
        // Few binds per JDBC batch, so that every load here is sent in several batches, as Snowflake's large ones are.
        batchInsert = new MergeWarehouse(() -> batchInsertConnection, dialect,
                new BatchInsertStager(new MergeSqlGenerator(dialect), 3 * MergeSqlGenerator.stageColumns(SCHEMA).size()),
                DerivedViews.NONE);
        batchInsert.prepare(List.of(SCHEMA));
    }

    @AfterEach
    void close() throws Exception {
        batchInsert.close();
        appender.close();
    }

    @Test
    void appliesInsertsUpdatesDeletesAndTruncatesAsTheAppenderDoes() throws Exception {
        loadIntoBoth(batch(
                change(Operation.CREATE, "{\"icao24\":\"abc123\",\"callsign\":\"DLH1    \",\"last_contact\":\"2024-05-01T10:00:00Z\","
                        + "\"velocity\":230.5,\"on_ground\":false,\"sensors\":[1,2]}"),
                change(Operation.CREATE, "{\"icao24\":\"def456\",\"callsign\":null,\"last_contact\":null,"
                        + "\"velocity\":null,\"on_ground\":null,\"sensors\":null}"),
                change(Operation.CREATE, "{\"icao24\":\"fff000\",\"callsign\":\"SOON GONE\"}")));
        loadIntoBoth(batch(
                change(Operation.UPDATE, "{\"icao24\":\"abc123\",\"callsign\":\"Zürich✈\",\"last_contact\":\"2024-05-01T10:00:05Z\","
                        + "\"velocity\":1.0E10,\"on_ground\":true,\"sensors\":[]}"),
                change(Operation.DELETE, "{\"icao24\":\"def456\"}"),
                change(Operation.TRUNCATE, "{}"),
                change(Operation.CREATE, "{\"icao24\":\"abc123\",\"callsign\":\"AFTER\",\"sensors\":[3]}")));

        assertThat(sameInBoth(CURRENT)).containsExactly("abc123|AFTER|null|null|null|[3]");
        assertThat(sameInBoth(HISTORY)).extracting(row -> row.split("\\|")[0] + "|" + row.split("\\|")[7])
                .containsExactly("c|abc123", "c|def456", "c|fff000", "u|abc123", "d|def456", "t|null", "c|abc123");
        assertThat(sameInBoth(HISTORY).get(3)).endsWith("|abc123|Zürich✈|1.714557605E9|1.0E10|true|[]");
        assertThat(sameInBoth(PROGRESS)).containsExactly("flightcdc.public.flight_state|0|7|1006|1006|1|null|null|null");
    }

    @Test
    void aRefusedValueIsSetAsideAndTheRestAppliedAsWithTheAppender() throws Exception {
        List<ChangeEvent> changes = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            changes.add(i == 6
                    ? change(Operation.CREATE, "{\"icao24\":\"bad001\",\"velocity\":\"not a number\"}")
                    : change(Operation.CREATE, "{\"icao24\":\"ok000" + i + "\",\"velocity\":" + i + "}"));
        }

        LoadResult result = loadIntoBoth(ChangeBatch.of(changes));

        assertThat(result.applied()).isEqualTo(10);
        assertThat(result.deadLettered()).isEqualTo(1);
        assertThat(sameInBoth(CURRENT)).hasSize(10).noneMatch(row -> row.startsWith("bad001"));
        assertThat(sameInBoth(HISTORY)).hasSize(10);
        assertThat(sameInBoth(DEAD_LETTERS)).singleElement().asString()
                .startsWith("flightcdc.public.flight_state|0|6|public.flight_state|")
                .contains("not a number")
                .endsWith("|" + changes.get(6).raw());
        assertThat(sameInBoth(PROGRESS)).containsExactly("flightcdc.public.flight_state|0|11|1010|1010|1|null|null|null");
    }

    @Test
    void progressSurvivesAReopen() throws Exception {
        ChangeEvent created = change(Operation.CREATE, 100, 110, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}");
        ChangeEvent deleted = change(Operation.DELETE, 120, 130, "{\"icao24\":\"aaaaaa\"}");
        batchInsert.load(batch(created, deleted));
        Map<KafkaPartition, PartitionProgress> before = batchInsert.progress();
        batchInsert.close();

        openBatchInsert();

        assertThat(batchInsert.progress()).isEqualTo(before).containsExactly(Map.entry(
                new KafkaPartition("flightcdc.public.flight_state", 0),
                new PartitionProgress(2, new SourcePosition(120, 130, 1L), null)));
        assertThat(batchInsert.load(batch(created, deleted)).alreadyLoaded()).isEqualTo(2);
        // Emitted again by the capture at new offsets: skipped, and the deleted row stays deleted.
        assertThat(batchInsert.load(batch(again(created))).replayed()).isEqualTo(1);
        assertThat(rows(batchInsertConnection, "SELECT count(*) FROM flight_state")).containsExactly("0");
        assertThat(rows(batchInsertConnection, "SELECT count(*) FROM flight_state_history")).containsExactly("2");
    }

    /** Loads {@code batch} into both warehouses; the result is the batch-insert one's, and must equal the appender's. */
    private LoadResult loadIntoBoth(ChangeBatch batch) throws Exception {
        LoadResult result = batchInsert.load(batch);
        LoadResult expected = appender.load(batch);
        assertThat(result).usingRecursiveComparison().ignoringFields("millis", "visibleAtMs", "lagMillis").isEqualTo(expected);
        return result;
    }

    /** The rows {@code sql} returns from the batch-insert warehouse, after checking the appender's are the same. */
    private List<String> sameInBoth(String sql) throws Exception {
        List<String> rows = rows(batchInsertConnection, sql);
        try (Connection reader = appender.newReader()) {
            assertThat(rows).as(sql).isEqualTo(rows(reader, sql));
        }
        return rows;
    }

    private static List<String> rows(Connection connection, String sql) throws SQLException {
        return QueryRows.of(connection, sql);
    }

    private ChangeEvent change(Operation op, String row) throws Exception {
        return change(op, 1000 + offset, 1000 + offset, row);
    }

    private ChangeEvent change(Operation op, long lastCommitLsn, long lsn, String row) throws Exception {
        long o = offset++;
        return new ChangeEvent("flightcdc.public.flight_state", 0, o, TABLE, op, positions.next(lastCommitLsn, lsn),
                o % 2 == 0 ? 7L : null, 1_714_557_600_000L + o, JSON.readTree(row),
                "{\"op\":\"" + op.code() + "\",\"offset\":" + o + "}");
    }

    /** The same change, as Kafka holds it a second time when Debezium emitted it again. */
    private ChangeEvent again(ChangeEvent e) {
        return new ChangeEvent(e.topic(), e.partition(), offset++, e.table(), e.operation(), e.position(), e.txId(),
                e.sourceTsMs(), e.row(), e.raw());
    }

    private static ChangeBatch batch(ChangeEvent... changes) {
        return ChangeBatch.of(List.of(changes));
    }
}
