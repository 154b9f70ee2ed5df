package bench;

import embedded.EmbeddedPostgresServer;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.ReplicationSlotInfo;
import source.SourceDatabase;

/**
 * What a direct initial snapshot could carry on this machine: the ceiling of the next step named in
 * docs/performance.md ("What bounds the snapshot"), measured, not the pipeline's own path.
 *
 * <p>A replication slot is made with an exported snapshot, as Debezium's own snapshot does. Readers, each in a
 * transaction on that snapshot ({@code SET TRANSACTION SNAPSHOT}), COPY ranges of the table's pages (ctid ranges, as
 * PeerDB does) to files, and DuckDB loads each file into the current state and the history (op 'r') in one
 * transaction. No Kafka, no Debezium: what is left of the path is PostgreSQL's COPY and DuckDB's own CSV reader.
 * The same rows are read with 1 and with 2 readers; each run is checked: as many rows, each key once.
 *
 * <p>Arguments: rows (default 500000), then the reader counts to run (default 1 2).
 */
public final class DirectSnapshotProbe {

    private static final String COLUMNS = "icao24, callsign, origin_country, time_position, last_contact, longitude,"
            + " latitude, baro_altitude, on_ground, velocity, true_track, vertical_rate, sensors, geo_altitude, squawk,"
            + " spi, position_source, category";
    /** The columns as PostgreSQL writes them out; arrays as JSON, which DuckDB reads as lists. */
    private static final String SELECTED = COLUMNS.replace("sensors", "array_to_json(sensors)::text");
    private static final String DUCKDB_TABLE = """
            CREATE TABLE %s (icao24 VARCHAR PRIMARY KEY, callsign VARCHAR, origin_country VARCHAR,
                time_position TIMESTAMPTZ, last_contact TIMESTAMPTZ, longitude DOUBLE, latitude DOUBLE,
                baro_altitude DOUBLE, on_ground BOOLEAN, velocity DOUBLE, true_track DOUBLE, vertical_rate DOUBLE,
                sensors INTEGER[], geo_altitude DOUBLE, squawk VARCHAR, spi BOOLEAN, position_source SMALLINT,
                category SMALLINT%s)""";

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 500_000;
        List<Integer> readerCounts = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            readerCounts.add(Integer.parseInt(args[i]));
        }
        if (readerCounts.isEmpty()) {
            readerCounts = List.of(1, 2);
        }
        Path dir = Files.createTempDirectory("direct-snapshot-");
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dir.resolve("postgres"), freePort())) {
            try (SourceDatabase schema = SourceDatabase.of(postgres)) {
                schema.migrate();
            }
            long pages;
            try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
                WideRows.insert(c, rows);
                s.execute("VACUUM ANALYZE public.flight_state");
                pages = single(s, "SELECT pg_relation_size('public.flight_state') / current_setting('block_size')::int");
            }
            System.out.printf(Locale.ROOT, "%,d rows of flight_state, %,d pages (%d MiB)%n", rows, pages, pages * 8 / 1024);
            for (int round = 1; round <= 2; round++) {
                for (int readers : readerCounts) {
                    run(postgres, dir.resolve("run-" + round + "-" + readers), rows, pages, readers);
                }
            }
        }
    }

    private static void run(EmbeddedPostgresServer postgres, Path dir, long rows, long pages, int readers) throws Exception {
        Files.createDirectories(dir);
        Properties replication = new Properties();
        PGProperty.USER.set(replication, postgres.user());
        PGProperty.PASSWORD.set(replication, postgres.password());
        PGProperty.REPLICATION.set(replication, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(replication, "10");
        PGProperty.PREFER_QUERY_MODE.set(replication, "simple");
        String slot = "probe_" + readers + "_" + System.nanoTime() % 100_000;
        long started = System.nanoTime();
        // The exported snapshot lives as long as this connection stays open and runs nothing else.
        try (Connection exporter = DriverManager.getConnection(postgres.jdbcUrl(), replication);
             Connection duck = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("warehouse.duckdb"))) {
            ReplicationSlotInfo info = exporter.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot()
                    .logical().withSlotName(slot).withOutputPlugin("pgoutput").make();
            try (Statement s = duck.createStatement()) {
                s.execute(String.format(DUCKDB_TABLE, "flight_state", ""));
                s.execute(String.format(DUCKDB_TABLE.replace(" PRIMARY KEY", ""), "flight_state_history",
                        ", _op VARCHAR, _lsn BIGINT"));
            }
            long slotMade = System.nanoTime();
            // More ranges than readers, so that a reader that finishes early takes another.
            int ranges = readers * 4;
            // Daemon threads: a run that fails leaves none behind to keep the JVM from exiting.
            ExecutorService pool = Executors.newFixedThreadPool(readers, task -> {
                Thread reader = new Thread(task, "reader");
                reader.setDaemon(true);
                return reader;
            });
            List<Future<Path>> files = new ArrayList<>();
            for (int r = 0; r < ranges; r++) {
                long from = pages * r / ranges;
                long to = r == ranges - 1 ? -1 : pages * (r + 1) / ranges;
                Path file = dir.resolve("range-" + r + ".csv");
                files.add(pool.submit(() -> copyRange(postgres, info.getSnapshotName(), from, to, file)));
            }
            long copyNanos = 0;
            long loadNanos = 0;
            long lsn = info.getConsistentPoint().asLong();
            for (Future<Path> f : files) {
                long waiting = System.nanoTime();
                Path file = f.get();
                long loading = System.nanoTime();
                copyNanos += loading - waiting;
                duck.setAutoCommit(false);
                try (Statement s = duck.createStatement()) {
                    s.execute("CREATE TEMP TABLE staged AS SELECT * FROM read_csv('" + file + "', header = false,"
                            + " columns = " + duckColumns() + ")");
                    s.execute("INSERT INTO flight_state SELECT * FROM staged");
                    s.execute("INSERT INTO flight_state_history SELECT *, 'r', " + lsn + " FROM staged");
                    s.execute("DROP TABLE staged");
                }
                duck.commit();
                duck.setAutoCommit(true);
                Files.delete(file);
                loadNanos += System.nanoTime() - loading;
            }
            pool.shutdown();
            long done = System.nanoTime();
            long loaded;
            long keys;
            try (Statement s = duck.createStatement()) {
                loaded = single(s, "SELECT count(*) FROM flight_state_history");
                keys = single(s, "SELECT count(DISTINCT icao24) FROM flight_state");
            }
            try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
            }
            double seconds = (done - started) / 1e9;
            System.out.printf(Locale.ROOT, "%d reader(s): %,d rows in %.2f s = %,.0f rows/s into the warehouse"
                            + " (slot %.2f s; the loader waited on COPY %.2f s, DuckDB loaded %.2f s); %s%n",
                    readers, rows, seconds, rows / seconds, (slotMade - started) / 1e9, copyNanos / 1e9, loadNanos / 1e9,
                    loaded == rows && keys == rows ? "each row once" : "MISMATCH: " + loaded + " rows, " + keys + " keys");
        }
    }

    /** One range of pages (toPage -1: to the end), read in a transaction on the slot's snapshot, written to a file as CSV. */
    private static Path copyRange(EmbeddedPostgresServer postgres, String snapshot, long fromPage, long toPage, Path file)
            throws SQLException, java.io.IOException {
        try (Connection c = postgres.connect(); OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                s.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'");
            }
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT " + SELECTED + " FROM public.flight_state"
                    + " WHERE ctid >= '(" + fromPage + ",0)'::tid"
                    + (toPage < 0 ? "" : " AND ctid < '(" + toPage + ",0)'::tid") + ") TO STDOUT (FORMAT csv)", out);
            c.commit();
        }
        return file;
    }

    private static String duckColumns() {
        String types = DUCKDB_TABLE.substring(DUCKDB_TABLE.indexOf('(') + 1, DUCKDB_TABLE.lastIndexOf("%s)"))
                .replace(" PRIMARY KEY", "");
        return "{" + java.util.Arrays.stream(types.split(","))
                .map(String::strip)
                .map(c -> "'" + c.substring(0, c.indexOf(' ')) + "': '" + c.substring(c.indexOf(' ') + 1) + "'")
                .collect(Collectors.joining(", ")) + "}";
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
