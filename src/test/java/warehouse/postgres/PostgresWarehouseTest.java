package warehouse.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import e2e.FreePorts;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.ChangeEvent.Operation;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.DerivedViews;
import warehouse.LoadResult;
import warehouse.ProgressMovedException;
import warehouse.QueryRows;
import warehouse.SnapshotLoad;
import warehouse.SnapshotLoad.SnapshotMark;
import warehouse.SourcePosition;
import warehouse.StageRows.StageRow;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.TestPositions;
import warehouse.UnavailableValue;
import warehouse.Warehouse;

/**
 * The PostgreSQL warehouse on a real server: the shared MERGE loader with PostgreSQL's dialect and COPY staging, and
 * the fence between loaders that load one database at once, each as another loader process would (connections of
 * its own, progress of its own).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresWarehouseTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final TableId TABLE = new TableId("public", "flight_state");
    private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("callsign", ColumnType.TEXT, false),
            new Column("last_contact", ColumnType.TIMESTAMPTZ, false),
            new Column("velocity", ColumnType.DOUBLE, false),
            new Column("on_ground", ColumnType.BOOLEAN, false),
            new Column("sensors", ColumnType.INTEGER, true)), List.of("icao24"));

    private static final String CURRENT = "SELECT icao24, callsign, CAST(extract(epoch FROM last_contact) AS bigint),"
            + " velocity, on_ground, array_to_string(sensors, ',', 'null') FROM flight_state ORDER BY icao24";
    private static final String HISTORY = "SELECT _op, _lsn, _tx_id, CAST(extract(epoch FROM _source_ts) * 1000 AS bigint),"
            + " _kafka_topic, _kafka_partition, _kafka_offset, icao24, callsign FROM flight_state_history ORDER BY _kafka_offset";
    private static final String PROGRESS = "SELECT topic, \"partition\", next_offset FROM _flightcdc_kafka_offsets"
            + " ORDER BY topic, \"partition\"";

    @TempDir
    Path dir;
    private EmbeddedPostgresServer server;
    private final AtomicInteger databases = new AtomicInteger();
    private String url;
    private final List<Warehouse> opened = new ArrayList<>();
    private long offset;
    private final TestPositions positions = new TestPositions();

    @BeforeAll
    void startServer(@TempDir Path serverDir) {
        server = EmbeddedPostgresServer.start(serverDir.resolve("postgres"), FreePorts.one());
    }

    @AfterAll
    void stopServer() throws Exception {
        server.close();
    }

    /** A database of each test's own, as a warehouse that is not the source's must be. */
    @BeforeEach
    void createDatabase() throws SQLException {
        String name = "warehouse_" + databases.incrementAndGet();
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        offset = 0;
        url = server.jdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    }

    @AfterEach
    void closeWarehouses() throws Exception {
        for (Warehouse w : opened) {
            w.close();
        }
    }

    @Test
    void appliesInsertsUpdatesDeletesAndTruncatesInOneTransactionEach() throws Exception {
        Warehouse warehouse = open(1);
        warehouse.load(batch(
                change(Operation.CREATE, "{\"icao24\":\"abc123\",\"callsign\":\"DLH1    \",\"last_contact\":\"2024-05-01T10:00:00Z\","
                        + "\"velocity\":230.5,\"on_ground\":false,\"sensors\":[1,null,2]}"),
                change(Operation.CREATE, "{\"icao24\":\"def456\",\"callsign\":null,\"last_contact\":null,"
                        + "\"velocity\":null,\"on_ground\":null,\"sensors\":null}"),
                change(Operation.CREATE, "{\"icao24\":\"fff000\",\"callsign\":\"\\\"quoted\\\", \\nand\"}")));
        assertThat(rows(CURRENT)).containsExactly(
                "abc123|DLH1    |1714557600|230.5|false|1,null,2",
                "def456|null|null|null|null|null",
                "fff000|\"quoted\", \nand|null|null|null|null");

        warehouse.load(batch(
                change(Operation.UPDATE, "{\"icao24\":\"abc123\",\"callsign\":\"Zürich✈\",\"last_contact\":\"2024-05-01T10:00:05Z\","
                        + "\"velocity\":1.0E10,\"on_ground\":true,\"sensors\":[]}"),
                change(Operation.CREATE, "{\"icao24\":\"ggg111\",\"callsign\":\"\"}"),
                change(Operation.DELETE, "{\"icao24\":\"def456\"}"),
                change(Operation.TRUNCATE, "{}"),
                change(Operation.CREATE, "{\"icao24\":\"abc123\",\"callsign\":\"AFTER\",\"sensors\":[3]}"),
                change(Operation.CREATE, "{\"icao24\":\"hhh222\",\"callsign\":\"\"}")));

        assertThat(rows(CURRENT)).containsExactly("abc123|AFTER|null|null|null|3", "hhh222||null|null|null|null");
        assertThat(rows(HISTORY)).extracting(row -> row.split("\\|")[0] + "|" + row.split("\\|")[7])
                .containsExactly("c|abc123", "c|def456", "c|fff000", "u|abc123", "c|ggg111", "d|def456", "t|null",
                        "c|abc123", "c|hhh222");
        assertThat(rows(HISTORY).get(0)).isEqualTo("c|1000|7|1714557600000|" + TOPIC + "|0|0|abc123|DLH1    ");
        assertThat(rows(PROGRESS)).containsExactly(TOPIC + "|0|9");
    }

    @Test
    void aValueTheWarehouseRefusesIsSetAsideAndTheRestApplied() throws Exception {
        Warehouse warehouse = open(1);
        List<ChangeEvent> changes = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            changes.add(i == 6
                    ? change(Operation.CREATE, "{\"icao24\":\"bad001\",\"velocity\":\"not a number\"}")
                    : change(Operation.CREATE, "{\"icao24\":\"ok000" + i + "\",\"velocity\":" + i + "}"));
        }

        LoadResult result = warehouse.load(ChangeBatch.of(changes));

        assertThat(result.applied()).isEqualTo(10);
        assertThat(result.deadLettered()).isEqualTo(1);
        assertThat(rows(CURRENT)).hasSize(10).noneMatch(row -> row.startsWith("bad001"));
        assertThat(rows("SELECT kafka_offset, source_table, reason, event FROM _flightcdc_dead_letter")).singleElement()
                .asString().startsWith("6|public.flight_state|").contains("not a number").endsWith("|" + changes.get(6).raw());
        assertThat(rows(PROGRESS)).containsExactly(TOPIC + "|0|11");
    }

    /** A change that does not carry an unchanged TOASTed value keeps the one the warehouse holds, in both tables. */
    @Test
    void aValueTheChangeDoesNotCarryIsTakenFromTheCurrentState() throws Exception {
        Warehouse warehouse = open(1);
        warehouse.load(batch(change(Operation.CREATE, "{\"icao24\":\"abc123\",\"callsign\":\"LONG\",\"velocity\":1}")));

        warehouse.load(batch(change(Operation.UPDATE, "{\"icao24\":\"abc123\",\"callsign\":"
                + JSON.writeValueAsString(UnavailableValue.PLACEHOLDER) + ",\"velocity\":2}")));

        assertThat(rows(CURRENT)).containsExactly("abc123|LONG|null|2.0|null|null");
        assertThat(rows("SELECT callsign, velocity FROM flight_state_history ORDER BY _kafka_offset"))
                .containsExactly("LONG|1.0", "LONG|2.0");
    }

    /**
     * The same in a table keyed by a bigint: the stage holds the key as text, and PostgreSQL compares it with the
     * current state's only once it is cast (a user's `orders` deleted under REPLICA IDENTITY DEFAULT stopped the loader).
     */
    @Test
    void aValueTheChangeDoesNotCarryIsTakenFromTheCurrentStateOfABigintKey() throws Exception {
        TableId orders = new TableId("public", "orders");
        TableSchema schema = new TableSchema(orders, List.of(new Column("id", ColumnType.BIGINT, false),
                new Column("note", ColumnType.TEXT, false)), List.of("id"));
        Warehouse warehouse = open(1);
        warehouse.prepare(List.of(SCHEMA, schema));
        String topic = "flightcdc.public.orders";
        warehouse.load(batch(new ChangeEvent(topic, 0, 0, orders, Operation.CREATE, positions.next(2000, 2000), null, 0L,
                JSON.readTree("{\"id\":7,\"note\":\"first\"}"), "{}")));

        warehouse.load(batch(new ChangeEvent(topic, 0, 1, orders, Operation.DELETE, positions.next(2001, 2001), null, 0L,
                JSON.readTree("{\"id\":7,\"note\":" + JSON.writeValueAsString(UnavailableValue.PLACEHOLDER) + "}"), "{}")));

        assertThat(rows("SELECT count(*) FROM orders")).containsExactly("0");
        assertThat(rows("SELECT _op, id, note FROM orders_history ORDER BY _kafka_offset")).containsExactly("c|7|first",
                "d|7|first");
    }

    /**
     * Two loaders of one database, as two processes: Kafka moved the partition from the first to the second, and the
     * second loaded on from where the warehouse was. The first, still holding a batch it read before, writes none of it.
     */
    @Test
    void aLoaderWhosePartitionAnotherLoaderMovedOnWritesNothingAndReadsTheProgressAgain() throws Exception {
        Warehouse first = open(1);
        Warehouse second = open(1);
        first.load(batch(change(Operation.CREATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"ONE\"}")));
        assertThat(second.progressReadAgain()).containsKey(new warehouse.KafkaPartition(TOPIC, 0));
        ChangeEvent stale = change(Operation.UPDATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"STALE\"}");
        offset--;
        second.load(batch(change(Operation.UPDATE, "{\"icao24\":\"aaaaaa\",\"callsign\":\"TWO\"}")));

        assertThatThrownBy(() -> first.load(batch(stale))).isInstanceOf(ProgressMovedException.class);

        assertThat(rows(CURRENT)).containsExactly("aaaaaa|TWO|null|null|null|null");
        assertThat(rows("SELECT callsign FROM flight_state_history ORDER BY _kafka_offset")).containsExactly("ONE", "TWO");
        assertThat(first.progress().get(new warehouse.KafkaPartition(TOPIC, 0)).nextOffset()).isEqualTo(2);
        assertThat(first.load(batch(stale)).alreadyLoaded()).isEqualTo(1);
    }

    /**
     * Two loaders that both found no progress for a partition write its first row at the same moment: the second
     * waits for the first's transaction, then meets its row (a unique violation), which is no refusal of the data.
     * Nothing is set aside, and the next try finds the row.
     */
    @Test
    void twoFirstRowsOfAPartitionAtOnceAreRetriedNotSetAside() throws Exception {
        Warehouse loader = open(1);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Connection other = DriverManager.getConnection(url, server.user(), server.password());
             Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("INSERT INTO _flightcdc_kafka_offsets (topic, \"partition\", next_offset) VALUES ('" + TOPIC + "', 0, 1)");
            s.execute("INSERT INTO flight_state_history (_op, _lsn, _source_ts, _loaded_at, _kafka_topic, _kafka_partition,"
                    + " _kafka_offset, icao24) VALUES ('c', 1, now(), now(), '" + TOPIC + "', 0, 0, 'aaaaaa')");
            s.execute("INSERT INTO flight_state (icao24) VALUES ('aaaaaa')");
            ChangeEvent same = change(Operation.CREATE, "{\"icao24\":\"aaaaaa\"}");
            Future<LoadResult> load = thread.submit(() -> loader.load(batch(same)));
            awaitWaitingForALock();
            other.commit();

            assertThatThrownBy(() -> load.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(SQLException.class)
                    .cause().satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"));
            assertThat(rows("SELECT count(*) FROM _flightcdc_dead_letter")).containsExactly("0");
            assertThatThrownBy(() -> loader.load(batch(same))).isInstanceOf(ProgressMovedException.class);
            assertThat(loader.load(batch(same)).alreadyLoaded()).isEqualTo(1);
            assertThat(rows("SELECT count(*) FROM flight_state_history")).containsExactly("1");
        } finally {
            thread.shutdownNow();
        }
    }

    /** Loaders that start together make the tables one at a time: two sessions' CREATE TABLE at once can fail otherwise. */
    @Test
    void loadersStartingTogetherMakeTheTablesWithoutFailing() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Warehouse>> starting = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                starting.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        Warehouse w = PostgresWarehouse.open(url, server.user(), server.password(), DerivedViews.NONE, 2);
                        synchronized (opened) {
                            opened.add(w);
                        }
                        w.prepare(List.of(SCHEMA));
                        return w;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, threads));
            }
            for (CompletableFuture<Warehouse> w : starting) {
                assertThat(w.get(60, TimeUnit.SECONDS)).isNotNull();
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(rows("SELECT count(*) FROM pg_tables WHERE tablename IN ('flight_state', 'flight_state_history',"
                + " '_flightcdc_kafka_offsets', '_flightcdc_dead_letter')")).containsExactly("4");
    }

    @Test
    void aRefusedLoginStopsTheOpenWithTheServersReason() {
        assertThatThrownBy(() -> PostgresWarehouse.open(url, server.user(), "wrong", DerivedViews.NONE, 1))
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
    }

    private void awaitWaitingForALock() throws Exception {
        for (int i = 0; i < 300; i++) {
            if (!rows("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
                    .isEmpty()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the loader never waited for the other transaction's lock");
    }

    /**
     * A direct snapshot (snapshot/DirectSnapshot) empties the current state and loads its rows as snapshot reads; one cut
     * off before its finish leaves the history when the next begins, and only the finished one is marked so.
     */
    @Test
    void aDirectSnapshotReplacesTheCurrentStateAndOneCutOffLeavesNothingBehind() throws Exception {
        Warehouse warehouse = open(2);
        warehouse.load(batch(change(Operation.CREATE, "{\"icao24\":\"old000\",\"callsign\":\"EARLIER\"}")));
        SnapshotLoad snapshot = warehouse.directSnapshot().orElseThrow();
        assertThat(snapshot.mark()).isEmpty();

        snapshot.begin(100, List.of(SCHEMA));
        snapshot.load(SCHEMA, List.of(read(100, 1, "abc123", "CUT     ", "2024-05-01T10:00:00Z", "230.5", "true", "[1,null,2]"),
                read(100, 2, "def456", null, null, null, null, null)));
        assertThat(snapshot.mark()).contains(new SnapshotMark(100, false));
        assertThat(rows(CURRENT)).containsExactly("abc123|CUT     |1714557600|230.5|true|1,null,2", "def456|null|null|null|null|null");

        snapshot.begin(200, List.of(SCHEMA));
        snapshot.load(SCHEMA, List.of(read(200, 1, "abc123", "AGAIN", "2024-05-01T10:00:05Z", "1.0E10", "false", "[]")));
        snapshot.load(SCHEMA, List.of(read(200, 2, "ghi789", "", null, "-0.0", null, "[3]")));
        snapshot.finish(200, 3);
        assertThat(snapshot.mark()).contains(new SnapshotMark(200, true));
        assertThat(rows(CURRENT)).containsExactly("abc123|AGAIN|1714557605|1.0E10|false|", "ghi789||null|-0.0|null|3");
        assertThat(rows("SELECT _op, _lsn, _kafka_partition, _kafka_offset, icao24 FROM flight_state_history"
                + " ORDER BY _kafka_partition, _kafka_offset")).containsExactly(
                "r|200|0|-2|ghi789", "r|200|0|-1|abc123", "c|1000|0|0|old000");
        assertThatThrownBy(() -> snapshot.finish(100, 2)).isInstanceOf(SQLException.class)
                .hasMessageContaining("no longer the one recorded");
    }

    /** A row of a direct snapshot at {@code lsn}, the {@code n}th read, with its values as the stage holds them. */
    private static StageRow read(long lsn, long n, String... values) {
        return new StageRow(new ChangeEvent(TOPIC, 0, -n, TABLE, Operation.READ, new SourcePosition(lsn, lsn, null), null,
                1_714_557_600_000L, null, null), values, null);
    }

    private Warehouse open(int writers) throws Exception {
        Warehouse warehouse = PostgresWarehouse.open(url, server.user(), server.password(), DerivedViews.NONE, writers);
        opened.add(warehouse);
        warehouse.prepare(List.of(SCHEMA));
        return warehouse;
    }

    private List<String> rows(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, server.user(), server.password())) {
            return QueryRows.of(c, sql);
        }
    }

    private ChangeEvent change(Operation op, String row) throws Exception {
        long o = offset++;
        return new ChangeEvent(TOPIC, 0, o, TABLE, op, positions.next(1000 + o, 1000 + o), o % 2 == 0 ? 7L : null,
                1_714_557_600_000L + o, JSON.readTree(row), "{\"op\":\"" + op.code() + "\",\"offset\":" + o + "}");
    }

    private static ChangeBatch batch(ChangeEvent... changes) {
        return ChangeBatch.of(List.of(changes));
    }
}
