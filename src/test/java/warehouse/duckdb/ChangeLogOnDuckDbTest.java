package warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import analytics.FlightAnalyticsViews;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.ChangeEvent.Operation;
import warehouse.ChangeLogSqlGenerator;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.JsonText;
import warehouse.LoadResult;
import warehouse.MetadataColumn;
import warehouse.QueryRows;
import warehouse.StageRows;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.TestPositions;
import warehouse.UnavailableValue;

/**
 * The append-only mode's queries mean what MERGE mode does: the same Kafka records, appended raw to a
 * change table in one DuckDB file and loaded by {@link DuckDbWarehouse} into another, give the same
 * current state, history, records set aside and analytics. DuckDB stands in for Snowflake, which runs the
 * same generator's text (see ChangeLogSqlGeneratorTest). As the Snowpipe Streaming writer does, each
 * delivery ends with a row in the load watermark table, without which its changes do not show.
 */
class ChangeLogOnDuckDbTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableId TABLE = new TableId("public", "flight_state");
    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("callsign", ColumnType.TEXT, false),
            new Column("origin_country", ColumnType.TEXT, false),
            new Column("last_contact", ColumnType.TIMESTAMPTZ, false),
            new Column("longitude", ColumnType.DOUBLE, false),
            new Column("latitude", ColumnType.DOUBLE, false),
            new Column("baro_altitude", ColumnType.DOUBLE, false),
            new Column("on_ground", ColumnType.BOOLEAN, false),
            new Column("velocity", ColumnType.DOUBLE, false),
            new Column("true_track", ColumnType.DOUBLE, false),
            new Column("sensors", ColumnType.INTEGER, true),
            new Column("squawk", ColumnType.TEXT, false),
            new Column("category", ColumnType.SMALLINT, false)), List.of("icao24"));
    private static final String REJECTED_REASON = "Numeric value 'not a number' is not recognized";

    private final DuckDbDialect dialect = new DuckDbDialect();
    private final ChangeLogSqlGenerator sql = new ChangeLogSqlGenerator(dialect);

    @TempDir
    Path dir;
    private DuckDbWarehouse merge;
    private Connection changeLog;
    private final long[] nextOffset = new long[2];
    private final TestPositions positions = new TestPositions();

    @BeforeEach
    void open() throws Exception {
        merge = DuckDbWarehouse.open(dir.resolve("merge.duckdb"), FlightAnalyticsViews::over);
        merge.prepare(List.of(SCHEMA));
        changeLog = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("changelog.duckdb").toAbsolutePath());
        try (Statement s = changeLog.createStatement()) {
            s.execute(sql.createLoadedThroughTable());
            s.execute(sql.createChangeTable(SCHEMA));
            s.execute(sql.createHistoryView(SCHEMA));
            s.execute(sql.createLiveView(SCHEMA));
            s.execute(sql.createDeadLetterView(List.of(SCHEMA)));
        }
    }

    @AfterEach
    void close() throws Exception {
        changeLog.close();
        merge.close();
    }

    @Test
    void theChangeLogsViewsEqualWhatMergeModeLoadsFromTheSameRecords() throws Exception {
        // Offsets are taken in the order the changes are made here, as Kafka would hold them.
        ChangeEvent snapshotRead1 = change(0, Operation.READ, 0, 50, aircraft("snap01", "S1", 10.0, true, null));
        ChangeEvent snapshotRead2 = change(0, Operation.READ, 0, 50, aircraft("snap02", "S2", 250.0, false, "7500"));
        ChangeEvent createdA = change(0, Operation.CREATE, 100, 110, aircraft("aaa111", "A1", 230.0, false, "1200"));
        ChangeEvent createdB = change(0, Operation.CREATE, 100, 120, aircraft("bbb222", "B1", 120.0, false, "2000"));
        ChangeEvent createdC = change(0, Operation.CREATE, 100, 130, aircraft("ccc333", "C1", 180.0, false, "7700"));
        ChangeEvent createdE = change(1, Operation.CREATE, 100, 140, aircraft("eee555", "E1", 300.0, false, "7600"));
        deliver(true, snapshotRead1, snapshotRead2, createdA, createdB, createdC, createdE);
        ChangeEvent updatedA = change(0, Operation.UPDATE, 150, 160, aircraft("aaa111", "A2", 231.5, false, "1200"));
        ChangeEvent deletedB = change(0, Operation.DELETE, 150, 170, "{\"icao24\":\"bbb222\"}");
        // A primary-key update: a delete of the old key and a create of the new one, from one WAL record.
        ChangeEvent renamedFromC = change(0, Operation.DELETE, 180, 190, "{\"icao24\":\"ccc333\"}");
        ChangeEvent renamedToD = change(0, Operation.CREATE, 180, 190, aircraft("ddd444", "C1", 180.0, false, "7700"));
        deliver(true, updatedA, deletedB, renamedFromC, renamedToD);
        // Debezium restarted from a position stored before the update: Kafka holds those four again, then goes on.
        LoadResult afterCrash = deliver(true, again(updatedA), again(deletedB), again(renamedFromC), again(renamedToD),
                change(0, Operation.UPDATE, 200, 210, aircraft("aaa111", "A3", 232.0, false, "1200")),
                change(1, Operation.UPDATE, 200, 215, aircraft("eee555", "E2", 301.0, false, "7600")));
        // Emitted again long after (Debezium restarted at the commit before the creates), at the newest offset of
        // its keys: the rows it created were updated or deleted since, and stay so.
        LoadResult lateReplay = deliver(true, again(createdA), again(createdB), again(createdC));
        assertThat(changeLogRows("SELECT icao24 FROM " + q(sql.liveView(SCHEMA)) + " ORDER BY icao24"))
                .containsExactly("aaa111", "ddd444", "eee555", "snap01", "snap02");
        // A value the warehouse cannot take: MERGE mode refuses it when applying, the writer when appending.
        ChangeEvent refused = change(0, Operation.CREATE, 220, 230, "{\"icao24\":\"fff666\",\"velocity\":\"not a number\"}");
        LoadResult withRefused = deliver(false, refused);
        // The capture sends a TRUNCATE to each partition, where it empties that partition's rows.
        deliver(true,
                change(0, Operation.TRUNCATE, 240, 250, "{}"),
                change(1, Operation.TRUNCATE, 240, 250, "{}"),
                change(0, Operation.CREATE, 260, 270, aircraft("ggg777", "G1", 150.0, false, "7700")),
                change(1, Operation.CREATE, 260, 280, aircraft("hhh888", "H1", 0.0, true, null)),
                change(0, Operation.CREATE, 290, 300, aircraft("ddd444", "D2", 181.0, false, "1000")));

        assertThat(afterCrash.replayed()).as("MERGE mode skipped the re-emitted changes").isEqualTo(4);
        assertThat(withRefused.deadLettered()).isEqualTo(1);
        assertThat(lateReplay.replayed()).isEqualTo(3);
        assertThat(lateReplay.unexplained()).isEmpty();
        assertThat(changeLogRows("SELECT count(*) FROM " + q(sql.changeTable(SCHEMA)))).containsExactly("24");

        String everyColumn = "SELECT * FROM %s ORDER BY icao24";
        assertThat(changeLogRows(everyColumn.formatted(q(sql.liveView(SCHEMA)))))
                .containsExactly("ddd444|D2|Ruritania|2024-05-01T10:00Z|8.5|47.0|11000.0|false|181.0|90.0|[1, 2]|1000|3",
                        "ggg777|G1|Ruritania|2024-05-01T10:00Z|8.5|47.0|11000.0|false|150.0|90.0|[1, 2]|7700|3",
                        "hhh888|H1|Ruritania|2024-05-01T10:00Z|8.5|47.0|null|true|0.0|90.0|[1, 2]|null|3")
                .isEqualTo(mergeRows(everyColumn.formatted("flight_state")));

        String historyWithoutLoadTime = "SELECT * EXCLUDE (_loaded_at) FROM %s ORDER BY _kafka_partition, _kafka_offset";
        List<String> history = changeLogRows(historyWithoutLoadTime.formatted(q(sql.historyView(SCHEMA))));
        assertThat(history).hasSize(16).isEqualTo(mergeRows(historyWithoutLoadTime.formatted("flight_state_history")));

        String deadLetterWithoutTimeOrReason = "SELECT kafka_topic, kafka_partition, kafka_offset, source_table, event"
                + " FROM _flightcdc_dead_letter";
        assertThat(changeLogRows(deadLetterWithoutTimeOrReason))
                .containsExactly(TOPIC + "|0|" + refused.offset() + "|public.flight_state|" + refused.raw())
                .isEqualTo(mergeRows(deadLetterWithoutTimeOrReason));
        assertThat(changeLogRows("SELECT reason FROM _flightcdc_dead_letter")).containsExactly(REJECTED_REASON);
    }

    @Test
    void theViewsHaveTheColumnsAndTypesOfMergeModesTables() throws Exception {
        String columns = "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '%s'"
                + " ORDER BY ordinal_position";

        assertThat(changeLogRows(columns.formatted(sql.historyView(SCHEMA))))
                .isEqualTo(mergeRows(columns.formatted("flight_state_history")));
        assertThat(changeLogRows(columns.formatted(sql.liveView(SCHEMA))))
                .isEqualTo(mergeRows(columns.formatted("flight_state")));
        assertThat(changeLogRows(columns.formatted("_flightcdc_dead_letter")))
                .isEqualTo(mergeRows(columns.formatted("_flightcdc_dead_letter")));
        assertThat(changeLogRows(columns.formatted(sql.changeTable(SCHEMA)))).extracting(row -> row.split("\\|")[0])
                .containsExactlyElementsOf(Stream.concat(MetadataColumn.CHANGE_TABLE.stream().map(MetadataColumn::columnName),
                        SCHEMA.columns().stream().map(Column::name)).toList());
    }

    /**
     * Without REPLICA IDENTITY FULL, an update lacks its unchanged TOASTed values and a delete all but its key:
     * MERGE mode takes them from its current state, the change log's history from the key's latest change that
     * had them. Both give the same history and current state, a NULL the source had included, and neither
     * holds the placeholder.
     */
    @Test
    void valuesAChangeLacksAreCarriedForwardAsMergeModeTakesThemFromItsCurrentState() throws Exception {
        TableSchema notes = new TableSchema(new TableId("public", "notes"), List.of(
                new Column("id", ColumnType.INTEGER, false),
                new Column("title", ColumnType.TEXT, false),
                new Column("must", ColumnType.INTEGER, false),
                new Column("body", ColumnType.TEXT, false),
                new Column("tags", ColumnType.TEXT, true)), List.of("id"), false);
        merge.prepare(List.of(notes));
        try (Statement s = changeLog.createStatement()) {
            s.execute(sql.createChangeTable(notes));
            s.execute(sql.createHistoryView(notes));
            s.execute(sql.createLiveView(notes));
        }
        String lacking = JSON.valueToTree(UnavailableValue.PLACEHOLDER).toString();
        String lackingList = "[" + lacking + "]";

        deliver(notes, note(Operation.CREATE, 10, "{\"id\":1,\"title\":\"one\",\"must\":1,\"body\":\"B1\",\"tags\":[\"a\"]}"),
                note(Operation.CREATE, 20, "{\"id\":2,\"title\":\"two\",\"must\":2,\"body\":null,\"tags\":null}"));
        // Each alone in its batch: MERGE mode takes the values from its current state.
        ChangeEvent updated = note(Operation.UPDATE, 30, "{\"id\":1,\"title\":\"one!\",\"must\":1,\"body\":" + lacking
                + ",\"tags\":" + lackingList + "}");
        deliver(notes, updated);
        deliver(notes, note(Operation.UPDATE, 40, "{\"id\":2,\"title\":\"two!\",\"must\":2,\"body\":" + lacking
                + ",\"tags\":" + lackingList + "}"));
        // In one batch: the body comes from the change before it, the tags from the current state.
        deliver(notes, note(Operation.UPDATE, 50, "{\"id\":1,\"title\":\"one?\",\"must\":1,\"body\":\"B1b\",\"tags\":"
                        + lackingList + "}"),
                note(Operation.UPDATE, 60, "{\"id\":1,\"title\":\"one.\",\"must\":1,\"body\":" + lacking + ",\"tags\":"
                        + lackingList + "}"),
                // A key-only delete: Debezium fills the NOT NULL column with its default.
                note(Operation.DELETE, 70, "{\"id\":2,\"title\":null,\"must\":7,\"body\":null,\"tags\":null}"),
                // Debezium emitted it again after a restart: dropped by both modes.
                new ChangeEvent(TOPIC_NOTES, 0, noteOffset++, updated.table(), updated.operation(), updated.position(),
                        updated.txId(), updated.sourceTsMs(), updated.row(), updated.raw()));

        String everyColumn = "SELECT * FROM %s ORDER BY id";
        assertThat(changeLogRows(everyColumn.formatted(q(sql.liveView(notes)))))
                .containsExactly("1|one.|1|B1b|[a]")
                .isEqualTo(mergeRows(everyColumn.formatted("notes")));
        String historyWithoutLoadTime = "SELECT * EXCLUDE (_loaded_at) FROM %s ORDER BY _kafka_partition, _kafka_offset";
        List<String> history = changeLogRows(historyWithoutLoadTime.formatted(q(sql.historyView(notes))));
        assertThat(history).extracting(row -> row.substring(row.indexOf(TOPIC_NOTES) + TOPIC_NOTES.length() + 1))
                .containsExactly("0|0|1|one|1|B1|[a]", "0|1|2|two|2|null|null", "0|2|1|one!|1|B1|[a]",
                        "0|3|2|two!|2|null|null", "0|4|1|one?|1|B1b|[a]", "0|5|1|one.|1|B1b|[a]", "0|6|2|two!|2|null|null");
        assertThat(history).isEqualTo(mergeRows(historyWithoutLoadTime.formatted("notes_history")));
    }

    private static final String TOPIC_NOTES = "flightcdc.public.notes";
    private long noteOffset;

    private ChangeEvent note(Operation op, long lsn, String row) throws Exception {
        return new ChangeEvent(TOPIC_NOTES, 0, noteOffset++, new TableId("public", "notes"), op, positions.next(lsn, lsn), 7L,
                1_714_557_600_000L + lsn * 1000, JSON.readTree(row), row);
    }

    /** As the Snowpipe Streaming writer appends them: the values StageRows renders, the lacking ones named. */
    private void deliver(TableSchema table, ChangeEvent... changes) throws Exception {
        for (ChangeEvent e : changes) {
            StageRows.Rendered rendered = StageRows.render(table, e);
            List<String> lacking = new java.util.ArrayList<>();
            for (int i = 0; i < table.columns().size(); i++) {
                if (rendered.lacking()[i]) {
                    lacking.add(table.columns().get(i).name());
                }
            }
            String casts = table.columns().stream().map(c -> dialect.castFromText("?", c)).collect(Collectors.joining(", "));
            try (PreparedStatement ps = changeLog.prepareStatement("INSERT INTO " + q(sql.changeTable(table))
                    + metadataValues() + dialect.castFromText("?", new Column("u", ColumnType.TEXT, true)) + ", "
                    + casts + ")")) {
                int i = bindMetadata(ps, e);
                ps.setString(++i, lacking.isEmpty() ? null : JSON.valueToTree(lacking).toString());
                for (String value : rendered.values()) {
                    ps.setString(++i, value);
                }
                ps.executeUpdate();
            }
        }
        loadedThrough(changes);
        merge.load(ChangeBatch.of(List.of(changes)));
    }

    /**
     * Each change table is committed on its own, so a transaction's rows may all be there in one table and not
     * yet in another: none shows until the load watermark covers the transaction, then all of it does. Snapshot
     * reads belong to no transaction and show before any watermark; a truncate the watermark does not cover
     * empties nothing yet.
     */
    @Test
    void aTransactionShowsOnlyOnceTheLoadWatermarkCoversIt() throws Exception {
        ChangeEvent snapshotRead = change(0, Operation.READ, 0, 50, aircraft("snap01", "S1", 10.0, true, null));
        append(snapshotRead);
        String live = "SELECT icao24 FROM " + q(sql.liveView(SCHEMA)) + " ORDER BY icao24";
        String history = "SELECT _op, icao24 FROM " + q(sql.historyView(SCHEMA)) + " ORDER BY _kafka_offset";
        assertThat(changeLogRows(live)).as("a snapshot shows without any watermark").containsExactly("snap01");

        ChangeEvent created = change(0, Operation.CREATE, 100, 110, aircraft("aaa111", "A1", 230.0, false, "1200"));
        ChangeEvent truncated = change(0, Operation.TRUNCATE, 200, 210, "{}");
        ChangeEvent createdAfter = change(0, Operation.CREATE, 200, 220, aircraft("bbb222", "B1", 120.0, false, "2000"));
        for (ChangeEvent e : List.of(created, truncated, createdAfter)) {
            append(e);
        }
        assertThat(changeLogRows(live)).as("committed in the change table, not yet covered").containsExactly("snap01");
        assertThat(changeLogRows(history)).containsExactly("r|snap01");

        loadedThrough(100);
        assertThat(changeLogRows(live)).containsExactly("aaa111", "snap01");
        assertThat(changeLogRows(history)).containsExactly("r|snap01", "c|aaa111");

        loadedThrough(200);
        merge.load(ChangeBatch.of(List.of(snapshotRead, created, truncated, createdAfter)));
        String everyColumn = "SELECT * FROM %s ORDER BY icao24";
        assertThat(changeLogRows(everyColumn.formatted(q(sql.liveView(SCHEMA))))).hasSize(1)
                .isEqualTo(mergeRows(everyColumn.formatted("flight_state")));
        assertThat(changeLogRows(history)).containsExactly("r|snap01", "c|aaa111", "t|null", "c|bbb222");
    }

    /** Snowflake's dynamic table FLIGHT_STATE holds the live view's rows; the dashboard reads the same from either mode. */
    @Test
    void theAnalyticsViewsReadTheSameFromEitherMode() throws Exception {
        deliver(true,
                change(0, Operation.CREATE, 100, 110, aircraft("aaa111", "A1", 230.0, false, "7700")),
                change(0, Operation.CREATE, 100, 120, aircraft("bbb222", "B1", 120.0, true, null)),
                change(0, Operation.UPDATE, 130, 140, aircraft("aaa111", "A2", 240.0, false, "7500")));
        try (Statement s = changeLog.createStatement()) {
            s.execute("CREATE VIEW flight_state AS SELECT * FROM " + q(sql.liveView(SCHEMA)));
            for (String view : new FlightAnalyticsViews(dialect).createStatements()) {
                s.execute(view);
            }
        }

        for (String view : List.of("airborne_by_country", "altitude_bands", "fastest_aircraft", "emergency_squawks",
                "changes_per_minute", "aircraft_tracks")) {
            String all = "SELECT * FROM " + view + " ORDER BY ALL";
            assertThat(changeLogRows(all)).as(view).isNotEmpty().isEqualTo(mergeRows(all));
        }
        String freshness = "SELECT newest_source_commit FROM data_freshness";
        assertThat(changeLogRows(freshness)).isEqualTo(mergeRows(freshness));
    }

    private static String aircraft(String icao24, String callsign, double velocity, boolean onGround, String squawk) {
        return "{\"icao24\":\"" + icao24 + "\",\"callsign\":\"" + callsign + "\",\"origin_country\":\"Ruritania\","
                + "\"last_contact\":\"2024-05-01T10:00:00Z\",\"longitude\":8.5,\"latitude\":47.0,"
                + "\"baro_altitude\":" + (onGround ? "null" : "11000.0") + ",\"on_ground\":" + onGround
                + ",\"velocity\":" + velocity + ",\"true_track\":90.0,\"sensors\":[1,2],"
                + "\"squawk\":" + (squawk == null ? "null" : "\"" + squawk + "\"") + ",\"category\":3}";
    }

    private ChangeEvent change(int partition, Operation op, long lastCommitLsn, long lsn, String row) throws Exception {
        long offset = nextOffset[partition]++;
        return new ChangeEvent(TOPIC, partition, offset, TABLE, op, positions.next(lastCommitLsn, lsn), 7L,
                1_714_557_600_000L + lsn * 1000, JSON.readTree(row), "{\"op\":\"" + op.code() + "\",\"lsn\":" + lsn + "}");
    }

    /** The same change at the next offset of its partition, as Kafka holds it when Debezium emitted it again. */
    private ChangeEvent again(ChangeEvent e) {
        return new ChangeEvent(e.topic(), e.partition(), nextOffset[e.partition()]++, e.table(), e.operation(), e.position(),
                e.txId(), e.sourceTsMs(), e.row(), e.raw());
    }

    /**
     * Hands the records to both modes: one MERGE batch, and one change-table row each, as the Snowpipe
     * Streaming writer appends them; {@code accepted} false makes them rows the writer set aside.
     */
    private LoadResult deliver(boolean accepted, ChangeEvent... changes) throws Exception {
        for (ChangeEvent e : changes) {
            if (e.truncateCopy()) {
                continue; // as the Snowpipe Streaming writer: the change table keeps partition 0's copy of a TRUNCATE
            }
            if (accepted) {
                append(e);
            } else {
                appendRejected(e);
            }
        }
        loadedThrough(changes);
        return merge.load(ChangeBatch.of(List.of(changes)));
    }

    /** The load watermark, as the writer appends it once every channel committed the load: if it carried streamed changes. */
    private void loadedThrough(ChangeEvent... changes) throws Exception {
        OptionalLong highest = Stream.of(changes).filter(ChangeEvent::streamed).mapToLong(e -> e.position().lastCommitLsn()).max();
        if (highest.isPresent()) {
            loadedThrough(highest.getAsLong());
        }
    }

    private void loadedThrough(long lastCommitLsn) throws Exception {
        try (PreparedStatement ps = changeLog.prepareStatement("INSERT INTO " + q(ChangeLogSqlGenerator.LOADED_THROUGH_TABLE)
                + " VALUES (?, " + dialect.currentTimestamp() + ")")) {
            ps.setLong(1, lastCommitLsn);
            ps.executeUpdate();
        }
    }

    /** The change table's metadata columns in a VALUES list, as the writer fills them; the row's columns follow. */
    private String metadataValues() {
        return " VALUES (?, ?, ?, ?, " + dialect.epochMillisToTimestamptz("?") + ", " + dialect.currentTimestamp()
                + ", ?, ?, ?, NULL, NULL, ";
    }

    /** Binds the metadata of {@link #metadataValues}; returns the last parameter index bound. */
    private static int bindMetadata(PreparedStatement ps, ChangeEvent e) throws java.sql.SQLException {
        int i = 0;
        ps.setString(++i, e.operation().code());
        ps.setLong(++i, e.position().lastCommitLsn());
        ps.setLong(++i, e.lsn());
        ps.setLong(++i, e.txId());
        ps.setLong(++i, e.sourceTsMs());
        ps.setString(++i, e.topic());
        ps.setInt(++i, e.partition());
        ps.setLong(++i, e.offset());
        return i;
    }

    private void append(ChangeEvent e) throws Exception {
        String casts = SCHEMA.columns().stream().map(c -> dialect.castFromText("?", c)).collect(Collectors.joining(", "));
        try (PreparedStatement ps = changeLog.prepareStatement("INSERT INTO " + q(sql.changeTable(SCHEMA))
                + metadataValues() + casts + ")")) {
            int i = bindMetadata(ps, e);
            for (Column c : SCHEMA.columns()) {
                ps.setString(++i, JsonText.of(e.row().get(c.name())));
            }
            ps.executeUpdate();
        }
    }

    /** A record the writer set aside: where it sits in Kafka, why, and the record as received; nothing else. */
    private void appendRejected(ChangeEvent e) throws Exception {
        try (PreparedStatement ps = changeLog.prepareStatement("INSERT INTO " + q(sql.changeTable(SCHEMA))
                + " (_loaded_at, _kafka_topic, _kafka_partition, _kafka_offset, _rejected_reason, _rejected_event)"
                + " VALUES (" + dialect.currentTimestamp() + ", ?, ?, ?, ?, ?)")) {
            ps.setString(1, e.topic());
            ps.setInt(2, e.partition());
            ps.setLong(3, e.offset());
            ps.setString(4, REJECTED_REASON);
            ps.setString(5, e.raw());
            ps.executeUpdate();
        }
    }

    private String q(String identifier) {
        return dialect.quote(identifier);
    }

    private List<String> changeLogRows(String query) throws Exception {
        return rows(changeLog, query);
    }

    private List<String> mergeRows(String query) throws Exception {
        try (Connection reader = merge.newReader()) {
            return rows(reader, query);
        }
    }

    private static List<String> rows(Connection connection, String query) throws Exception {
        return QueryRows.of(connection, query);
    }
}
