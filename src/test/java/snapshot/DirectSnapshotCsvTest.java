package snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import capture.KeyPartitioner;
import com.fasterxml.jackson.databind.ObjectMapper;
import capture.PositionFile;
import e2e.FreePorts;
import embedded.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import source.SourceCatalog;
import source.SourceDatabase;
import warehouse.DerivedViews;
import warehouse.QueryRows;
import warehouse.SnapshotLoad;
import warehouse.StageRows.StageRow;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * Into DuckDB, a direct snapshot goes as PostgreSQL's CSV, which DuckDB reads itself; into a warehouse that reads no
 * CSV, as rows through Java. Both must load the same values: text that CSV quotes (separators, quotes, line breaks),
 * the empty string beside NULL, a value longer than DuckDB's CSV reader takes by default, and more rows than one range
 * of pages holds; and, over topics of two partitions, each row in its key's partition.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectSnapshotCsvTest {

    private static final int FILLER_ROWS = 40_000;
    private static final int KEY_FILLER_ROWS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] ODD = {"", "NULL", "a,b", "q\"x", "\"", "line\nbreak", "cr\r\nlf", "\r", " spaced ",
            "back\\slash", "\\N", "é😀", "tab\t", "x".repeat(3 * 1024 * 1024)};

    private EmbeddedPostgresServer server;
    private SourceDatabase source;
    private long sourceRows;
    private long keyRows;

    @BeforeAll
    void startServer(@TempDir Path dir) throws Exception {
        server = EmbeddedPostgresServer.start(dir.resolve("postgres"), FreePorts.one());
        source = SourceDatabase.of(server);
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE odd (id integer PRIMARY KEY, note text, doc jsonb, at timestamptz, amount double precision)");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO odd (id, note, doc) VALUES (?, ?, ?::jsonb)")) {
                for (int i = 0; i < ODD.length; i++) {
                    insert.setInt(1, -1 - i);
                    insert.setString(2, ODD[i]);
                    insert.setString(3, "{\"note\": " + com.fasterxml.jackson.databind.node.TextNode.valueOf(ODD[i]) + "}");
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            s.execute("INSERT INTO odd (id, note) VALUES (0, NULL)");
            // Rows of 500 bytes: more than one range of DirectSnapshot.RANGE_PAGES.
            s.execute("INSERT INTO odd SELECT g, repeat(md5(g::text), 15), NULL, TIMESTAMPTZ '2026-12-02 10:00:00+00'"
                    + " + g * INTERVAL '1 microsecond', g / 7.0 FROM generate_series(1, " + FILLER_ROWS + ") g");
            s.execute("VACUUM ANALYZE odd");
            sourceRows = ODD.length + 1 + FILLER_ROWS;
            // Text keys that JSON escapes (quotes, backslashes, control characters) or leaves as UTF-8.
            s.execute("CREATE TABLE odd_key (k text PRIMARY KEY, n integer)");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO odd_key VALUES (?, ?)")) {
                for (int i = 0; i < ODD.length - 1; i++) {
                    insert.setString(1, ODD[i]);
                    insert.setInt(2, i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            s.execute("INSERT INTO odd_key SELECT 'key ' || g, g FROM generate_series(1, " + KEY_FILLER_ROWS + ") g");
            keyRows = ODD.length - 1 + KEY_FILLER_ROWS;
            assertThat(QueryRows.of(c, "SELECT pg_relation_size('odd') / 8192 > " + DirectSnapshot.RANGE_PAGES))
                    .containsExactly("true");
        }
    }

    @AfterAll
    void stopServer() throws Exception {
        source.close();
        server.close();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theCsvPathLoadsWhatTheRowsPathLoads(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("csv.duckdb");
        Path csvPartitioned = dir.resolve("csv2.duckdb");
        Path rowsPartitioned = dir.resolve("rows2.duckdb");
        snapshot(csv, "odd", sourceRows, 1, true, "direct_csv");
        snapshot(csvPartitioned, "odd", sourceRows, 2, true, "direct_csv2");
        snapshot(rowsPartitioned, "odd", sourceRows, 2, false, "direct_rows2");

        assertThat(csv.resolveSibling("csv.duckdb.snapshot")).as("the CSV files and their directory, once loaded")
                .doesNotExist();
        try (Connection both = DriverManager.getConnection("jdbc:duckdb:"); Statement s = both.createStatement()) {
            s.execute("ATTACH '" + csv.toAbsolutePath() + "' AS csv (READ_ONLY)");
            s.execute("ATTACH '" + csvPartitioned.toAbsolutePath() + "' AS csv2 (READ_ONLY)");
            s.execute("ATTACH '" + rowsPartitioned.toAbsolutePath() + "' AS rows2 (READ_ONLY)");
            for (String loaded : List.of("csv", "csv2", "rows2")) {
                assertThat(QueryRows.of(both, "SELECT count(*), count(DISTINCT _kafka_offset), min(_kafka_offset),"
                        + " max(_kafka_offset), count(DISTINCT _lsn), min(_op), max(_op), count(DISTINCT _kafka_partition)"
                        + " FROM " + loaded + ".odd_history")).as(loaded).containsExactly(sourceRows + "|" + sourceRows + "|"
                        + -sourceRows + "|-1|1|r|r|" + (loaded.equals("csv") ? 1 : 2));
                assertThat(QueryRows.of(both, "SELECT count(*) FROM " + loaded + ".odd")).as(loaded)
                        .containsExactly(String.valueOf(sourceRows));
            }
            // The offsets, the LSN and the load time are each run's own; every value must be the same, and over two
            // partitions, each row's partition.
            assertSameRows(both, "csv", "rows2", "_kafka_partition, ");
            assertSameRows(both, "csv2", "rows2", "");
            // ... which is the one Kafka's default partitioner gives the record key a consumer reads, {"id":n}.
            try (ResultSet rs = s.executeQuery("SELECT id, _kafka_partition FROM csv2.odd_history")) {
                int rows = 0;
                while (rs.next()) {
                    byte[] key = ("{\"id\":" + rs.getInt(1) + "}").getBytes(StandardCharsets.UTF_8);
                    assertThat(rs.getInt(2)).as("the partition of id %d", rs.getInt(1))
                            .isEqualTo(Utils.toPositive(Utils.murmur2(key)) % 2);
                    rows++;
                }
                assertThat(rows).isEqualTo(sourceRows);
            }
            for (int i = 0; i < ODD.length; i++) {
                try (PreparedStatement ps = both.prepareStatement("SELECT note = ?, doc->>'note' = ? FROM csv.odd WHERE id = ?")) {
                    ps.setString(1, ODD[i]);
                    ps.setString(2, ODD[i]);
                    ps.setInt(3, -1 - i);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(List.of(rs.getBoolean(1), rs.getBoolean(2)))
                                .as("the value %s", ODD[i].length() > 20 ? "of 3 MiB" : ODD[i]).containsExactly(true, true);
                    }
                }
            }
            assertThat(QueryRows.of(both, "SELECT note IS NULL FROM csv.odd WHERE id = 0")).containsExactly("true");
        }
    }

    private static void assertSameRows(Connection both, String a, String b, String excludedToo) throws SQLException {
        for (String table : List.of("odd", "odd_history")) {
            String values = table.equals("odd") ? "*" : "* EXCLUDE (_kafka_offset, " + excludedToo + "_loaded_at, _lsn,"
                    + " _source_ts)";
            assertThat(QueryRows.of(both, "SELECT 'only in " + a + "', id FROM (SELECT " + values + " FROM " + a + "." + table
                    + " EXCEPT ALL SELECT " + values + " FROM " + b + "." + table + ") UNION ALL SELECT 'only in " + b + "', id"
                    + " FROM (SELECT " + values + " FROM " + b + "." + table + " EXCEPT ALL SELECT " + values + " FROM " + a
                    + "." + table + ")")).as(table + ": rows that differ between " + a + " and " + b).isEmpty();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void overTwoPartitionsATextKeysRowGoesWhereKafkaPutsItsRecord(@TempDir Path dir) throws Exception {
        Path duckdb = dir.resolve("keys.duckdb");
        snapshot(duckdb, "odd_key", keyRows, 2, true, "direct_keys");

        Properties readOnly = new Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdb.toAbsolutePath(), readOnly);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT k, _kafka_partition FROM odd_key_history")) {
            int rows = 0;
            Set<Integer> partitions = new HashSet<>();
            while (rs.next()) {
                // The record key as a consumer reads it: the JSON the capture writes, {"k":"..."}.
                byte[] key = JSON.writeValueAsBytes(Map.of("k", rs.getString(1)));
                assertThat(rs.getInt(2)).as("the partition of key %s", rs.getString(1))
                        .isEqualTo(Utils.toPositive(Utils.murmur2(key)) % 2);
                partitions.add(rs.getInt(2));
                rows++;
            }
            assertThat(rows).isEqualTo(keyRows);
            assertThat(partitions).containsExactlyInAnyOrder(0, 1);
        }
    }

    /** A direct snapshot of {@code table} into {@code duckdb}: through CSV files, or as rows, as into a warehouse without. */
    private void snapshot(Path duckdb, String table, long rows, int partitions, boolean csv, String slot) throws Exception {
        TableSchema schema = new SourceCatalog(source.dataSource()).describe(new TableId("public", table));
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(duckdb, DerivedViews.NONE)) {
            warehouse.prepare(List.of(schema));
            SnapshotLoad load = warehouse.directSnapshot().orElseThrow();
            DirectSnapshot snapshot = new DirectSnapshot(source, csv ? load : withoutCsv(load), List.of(schema),
                    t -> "flightcdc." + t, new KeyPartitioner(partitions), 1, slot, slot, List.of(schema.id()));
            assertThat(snapshot.run(new PositionFile(duckdb.resolveSibling(slot + ".dat")), "flightcdc", false))
                    .hasValueSatisfying(r -> assertThat(r.rows()).isEqualTo(rows));
        }
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
        assertThat(Files.exists(duckdb)).isTrue();
    }

    /** {@code load} as a warehouse that reads no CSV sees it. */
    private static SnapshotLoad withoutCsv(SnapshotLoad load) {
        return new SnapshotLoad() {
            @Override
            public Optional<SnapshotMark> mark() throws SQLException {
                return load.mark();
            }

            @Override
            public void begin(long lsn, List<TableSchema> tables) throws SQLException {
                load.begin(lsn, tables);
            }

            @Override
            public void load(TableSchema table, List<StageRow> rows) throws SQLException, InterruptedException {
                load.load(table, rows);
            }

            @Override
            public void finish(long lsn, long rows) throws SQLException {
                load.finish(lsn, rows);
            }
        };
    }
}
