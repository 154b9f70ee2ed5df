package warehouse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import warehouse.duckdb.DuckDbDialect;

/**
 * What one batch costs in DuckDB's statements, by statement, with the current state applied by a MERGE against a
 * DELETE of the batch's keys and an INSERT of their newest rows (MergeSqlGenerator#applyStage), as the loader runs
 * them: each variant in a database file of its own, a current state of {@code rows} rows of flight_state, batches of
 * each size taking turns between the two, each in one transaction (stage cleared, staged, history, apply, stage
 * cleared, committed). A batch updates keys the state was made with, deletes one in twenty instead, and inserts as many
 * new keys; both variants get the same changes, and their current states must end the same. Prints
 * the median wall time of each statement; then that of the progress upsert, prepared each time against once. Run by
 * duckdb-apply.sh.
 */
public class DuckDbApply {

    private static final TableSchema FLIGHT_STATE = new TableSchema(new TableId("public", "flight_state"), List.of(
            new Column("icao24", ColumnType.TEXT, false), new Column("callsign", ColumnType.TEXT, false),
            new Column("origin_country", ColumnType.TEXT, false), new Column("time_position", ColumnType.TIMESTAMPTZ, false),
            new Column("last_contact", ColumnType.TIMESTAMPTZ, false), new Column("longitude", ColumnType.DOUBLE, false),
            new Column("latitude", ColumnType.DOUBLE, false), new Column("baro_altitude", ColumnType.DOUBLE, false),
            new Column("on_ground", ColumnType.BOOLEAN, false), new Column("velocity", ColumnType.DOUBLE, false),
            new Column("true_track", ColumnType.DOUBLE, false), new Column("vertical_rate", ColumnType.DOUBLE, false),
            new Column("sensors", ColumnType.INTEGER, true), new Column("geo_altitude", ColumnType.DOUBLE, false),
            new Column("squawk", ColumnType.TEXT, false), new Column("spi", ColumnType.BOOLEAN, false),
            new Column("position_source", ColumnType.SMALLINT, false), new Column("category", ColumnType.SMALLINT, false)),
            List.of("icao24"));
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private static final String[] STEPS = {"clear", "stage", "history", "apply", "clear", "commit"};

    /** One variant's database, and its statements. */
    private record Variant(String name, Connection connection, List<String> apply, int rows, long[] nextKey, long[] offset) {
    }

    public static void main(String[] args) throws Exception {
        int rows = Integer.parseInt(args[0]);
        int[] sizes = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.parseInt(args[2]);
        Path dir = Files.createTempDirectory("duckdb-apply");
        MergeSqlGenerator sql = new MergeSqlGenerator(new DuckDbDialect());
        List<Variant> variants = List.of(
                open(dir, "merge", rows, sql, List.of(sql.mergeFromStage(FLIGHT_STATE))),
                open(dir, "delete+insert", rows, sql, List.of(sql.deleteStagedKeys(FLIGHT_STATE),
                        sql.insertNewestFromStage(FLIGHT_STATE))));
        for (int size : sizes) {
            long[][][] nanos = new long[variants.size()][STEPS.length][rounds];
            long[][][] cpu = new long[variants.size()][STEPS.length][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int v = 0; v < variants.size(); v++) {
                    batch(variants.get(v), sql, size, nanos[v], cpu[v], r);
                }
            }
            for (int v = 0; v < variants.size(); v++) {
                StringBuilder line = new StringBuilder(String.format("batch %6d  %-14s", size, variants.get(v).name()));
                long whole = 0;
                for (int step = 0; step < STEPS.length; step++) {
                    long median = median(nanos[v][step]);
                    whole += median;
                    line.append(String.format("  %s %6.1f", STEPS[step], median / 1e6));
                }
                // The process's CPU, all threads (DuckDB's workers too), in clock ticks: summed over every round.
                long applyCpu = Arrays.stream(cpu[v][3]).sum();
                long batchCpu = 0;
                for (int step = 0; step < STEPS.length; step++) {
                    batchCpu += step == 1 ? 0 : Arrays.stream(cpu[v][step]).sum();
                }
                System.out.println(line.append(String.format("  | sum %6.1f ms  | CPU a batch, staging apart: %.1f ms, of it"
                        + " the apply %.1f ms", whole / 1e6, batchCpu / 1e6 / rounds, applyCpu / 1e6 / rounds)));
            }
        }
        progressUpsert(variants.get(0).connection(), sql, rounds * 10);
        // Both applied the same changes: their current states must hold the same rows.
        String columns = FLIGHT_STATE.columns().stream().map(c -> "\"" + c.name() + "\"").collect(Collectors.joining(", "));
        List<String> states = new ArrayList<>();
        for (Variant v : variants) {
            try (Statement s = v.connection().createStatement();
                 var rs = s.executeQuery("SELECT count(*), sum(CAST(hash(" + columns + ") AS HUGEINT)) FROM flight_state")) {
                rs.next();
                states.add(rs.getLong(1) + " rows, hash sum " + rs.getString(2));
            }
            v.connection().close();
        }
        System.out.println("current state at the end: " + String.join(" / ", states));
        if (states.stream().distinct().count() != 1) {
            throw new IllegalStateException("The variants' current states differ: " + states);
        }
    }

    private static Variant open(Path dir, String name, int rows, MergeSqlGenerator sql, List<String> apply) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve(name.replace('+', '-') + ".duckdb"));
        try (Statement s = c.createStatement()) {
            s.execute(sql.createCurrentTable(FLIGHT_STATE));
            s.execute(sql.createHistoryTable(FLIGHT_STATE));
            s.execute(sql.createStageTable(FLIGHT_STATE));
            s.execute("INSERT INTO flight_state SELECT printf('%06x', g), 'CS' || g, 'Country ' || (g % 50),"
                    + " TIMESTAMPTZ '2026-12-04 00:00:00+00' + to_seconds(g % 600), TIMESTAMPTZ '2026-12-04 00:00:00+00',"
                    + " (g % 360) - 180.0, (g % 180) - 90.0, g % 12000, g % 10 = 0, g % 300, g % 360, (g % 20) - 10,"
                    + " [g % 7, g % 11], g % 12000, CAST(g % 7777 AS VARCHAR), false, 0, g % 18 FROM range(" + rows + ") t(g)");
        }
        return new Variant(name, c, apply, rows, new long[] {rows}, new long[] {0});
    }

    /**
     * One batch of {@code size} changes in one transaction, each step's wall time into {@code nanos[step][round]} and the
     * process's CPU time into {@code cpu[step][round]}.
     */
    private static void batch(Variant v, MergeSqlGenerator sql, int size, long[][] nanos, long[][] cpu, int round)
            throws SQLException {
        Connection c = v.connection();
        String stage = "\"" + sql.stageTable(FLIGHT_STATE) + "\"";
        int inserts = size / 20;
        List<String> steps = new ArrayList<>();
        steps.add(sql.clearStage(FLIGHT_STATE));
        // Updates of keys the state was made with, spread over the table as an aircraft's are (a multiplication by a prime
        // modulo the rows), one in twenty a delete instead, then inserts of new keys: the same
        // changes in both variants, every value as the stage's text.
        long first = v.offset()[0];
        steps.add("INSERT INTO " + stage + " SELECT CASE WHEN i % 20 = 0 THEN 'd' ELSE 'u' END, 1, 1, 1764806400000,"
                + " 'flightcdc.public.flight_state', 0, " + first + " + i, printf('%06x', (" + first + " + i) * 7919 % " + v.rows()
                + "), 'CS' || i, 'Country', '2026-12-04 00:00:00+00', '2026-12-04 00:00:01+00', CAST(i % 360 - 180.5 AS VARCHAR),"
                + " CAST(i % 180 - 90.5 AS VARCHAR), CAST(i % 12000 AS VARCHAR), 'false', '250.5', '90.5', '-1.5', '[1,2,3]',"
                + " '11000.5', '1234', 'false', '0', '3', NULL FROM range(" + (size - inserts) + ") t(i)"
                + " UNION ALL SELECT 'c', 1, 1, 1764806400000, 'flightcdc.public.flight_state', 0, " + (first + size - inserts)
                + " + g - " + v.nextKey()[0] + ", printf('%06x', g), 'NEW', 'Country', NULL, '2026-12-04 00:00:00+00', '1.5',"
                + " '2.5', NULL, 'false', '100', '90', '0', '[1,2]', NULL, '1000', 'false', '0', '1', NULL FROM range("
                + v.nextKey()[0] + ", " + (v.nextKey()[0] + inserts) + ") t(g)");
        steps.add(sql.insertHistoryFromStage(FLIGHT_STATE));
        steps.add(null);
        steps.add(sql.clearStage(FLIGHT_STATE));
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (int step = 0; step < steps.size(); step++) {
                long started = System.nanoTime();
                long cpuBefore = OS.getProcessCpuTime();
                for (String statement : steps.get(step) == null ? v.apply() : List.of(steps.get(step))) {
                    s.execute(statement);
                }
                nanos[step][round] = System.nanoTime() - started;
                cpu[step][round] = OS.getProcessCpuTime() - cpuBefore;
            }
            long started = System.nanoTime();
            long cpuBefore = OS.getProcessCpuTime();
            c.commit();
            nanos[STEPS.length - 1][round] = System.nanoTime() - started;
            cpu[STEPS.length - 1][round] = OS.getProcessCpuTime() - cpuBefore;
        }
        c.setAutoCommit(true);
        v.nextKey()[0] += inserts;
        v.offset()[0] += size;
    }

    /**
     * The progress row every batch moves (MergeSqlGenerator#advanceProgress, one partition), prepared for each upsert
     * against prepared once, taking turns, {@code times} each.
     */
    private static void progressUpsert(Connection c, MergeSqlGenerator sql, int times) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql.createProgressTable());
        }
        long[][] nanos = new long[2][times];
        long offset = 0;
        try (PreparedStatement once = c.prepareStatement(sql.advanceProgress(1))) {
            for (int i = 0; i < times; i++) {
                for (int way = 0; way < 2; way++) {
                    long started = System.nanoTime();
                    if (way == 0) {
                        try (PreparedStatement each = c.prepareStatement(sql.advanceProgress(1))) {
                            upsert(each, offset);
                        }
                    } else {
                        upsert(once, offset);
                    }
                    nanos[way][i] = System.nanoTime() - started;
                    offset++;
                }
            }
        }
        System.out.printf("progress upsert  prepared each time %.2f ms  prepared once %.2f ms%n", median(nanos[0]) / 1e6,
                median(nanos[1]) / 1e6);
    }

    private static void upsert(PreparedStatement ps, long offset) throws SQLException {
        ps.setString(1, "flightcdc.public.flight_state");
        ps.setInt(2, 0);
        ps.setLong(3, offset + 1);
        for (int column = 4; column <= 9; column++) {
            ps.setLong(column, offset);
        }
        if (offset == 0) {
            ps.setNull(10, java.sql.Types.BIGINT);
        } else {
            ps.setLong(10, offset);
        }
        if (ps.executeUpdate() != 1) {
            throw new IllegalStateException("The progress upsert changed no row at offset " + offset);
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
