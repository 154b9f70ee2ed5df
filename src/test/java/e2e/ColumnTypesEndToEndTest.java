package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cli.FlightCdc;
import embedded.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import source.SourceCatalog;
import source.SourceDatabase;
import verify.TableComparison;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.UnavailableValue;

/**
 * The column types users' tables hold, through the whole pipeline on its real embedded services: each
 * value is carried exactly or its change is set aside with the reason in the dead-letter table, and none
 * is rounded, truncated or replaced. Checked twice for every table: verify's comparison of the current
 * state, and a trigger audit on the source (ExactChangeAudit) that the history holds each source change
 * exactly once, with every value as the source had it. Values of 1 and 5 MB, and TOASTed values that an
 * update under REPLICA IDENTITY DEFAULT leaves unchanged, included.
 *
 * <p>The source PostgreSQL is the test's own, so that its tables exist before the pipeline first starts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ColumnTypesEndToEndTest extends PipelineTestSupport {

    private static final Path DIR = newDirectory("column-types-");
    private static final EmbeddedPostgresServer SOURCE = EmbeddedPostgresServer.start(DIR.resolve("postgres"), FreePorts.one());
    private static final List<String> TABLES = List.of("column_types", "meeting_times", "notes");

    /** A value of about 100 kB that does not compress: PostgreSQL stores it out of line (TOAST). */
    private static final String RANDOM_100K_TEXT = "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 3200))";

    static {
        try (SourceDatabase db = new SourceDatabase(SOURCE.jdbcUrl(), SOURCE.user(), SOURCE.password());
             Connection c = source(); Statement s = c.createStatement()) {
            db.migrate();
            s.execute("""
                    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy, "really"');
                    CREATE DOMAIN positive_amount AS numeric(12,3) CHECK (VALUE > 0);
                    CREATE DOMAIN short_code AS varchar(10);
                    CREATE TABLE column_types (
                        id        integer PRIMARY KEY,
                        n_wide    numeric(60,20),
                        n_free    numeric,
                        n_money   numeric(12,3),
                        raw       bytea,
                        span      interval,
                        uid       uuid,
                        feeling   mood,
                        amount    positive_amount,
                        code      short_code,
                        doc       jsonb,
                        doc_text  json,
                        day       date,
                        at        timestamp,
                        at_ms     timestamp(3),
                        at_tz     timestamptz,
                        clock     time,
                        tags      text[],
                        counts    integer[],
                        doubled   numeric GENERATED ALWAYS AS (n_money * 2) STORED,
                        big_text  text,
                        big_bytes bytea
                    );
                    ALTER TABLE column_types REPLICA IDENTITY FULL;
                    -- status: a NULL written on purpose must not load as the column's default
                    CREATE TABLE meeting_times (id integer PRIMARY KEY, note text, starts timetz, status text DEFAULT 'planned');
                    ALTER TABLE meeting_times REPLICA IDENTITY FULL;
                    -- REPLICA IDENTITY DEFAULT: updates do not carry unchanged TOASTed values, deletes only the key
                    CREATE TABLE notes (id integer PRIMARY KEY, title text, must integer NOT NULL DEFAULT 7, body text,
                                        attachment bytea, tags text[], doc jsonb);
                    """);
            for (String table : TABLES) {
                ExactChangeAudit.install(c, table, List.of("id"));
            }
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @AfterAll
    void stopThePipelineThenTheSource() throws Exception {
        // With one pipeline per class, Camel would stop it only after this method: it must not outlive its source.
        context.stop();
        SOURCE.close();
    }

    @Override
    protected Properties pipelineSettings() {
        return settings(DIR.resolve("pipeline"),
                "flightcdc.source.jdbc-url", SOURCE.jdbcUrl(),
                "flightcdc.source.user", SOURCE.user(),
                "flightcdc.source.password", SOURCE.password(),
                "flightcdc.source.tables", String.join(",", TABLES.stream().map(t -> "public." + t).toList()),
                "flightcdc.kafka.embedded-port", String.valueOf(FreePorts.pair()),
                "flightcdc.opensky.poll-enabled", "false");
    }

    @Test
    @Order(1)
    void everyTypeIsCarriedExactlyOrItsChangeSetAsideWithTheReason() throws Exception {
        await().atMost(Duration.ofSeconds(90)).until(() -> count(source(),
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'flightcdc' AND active") == 1);

        source("""
                INSERT INTO column_types (id, n_wide, n_free, n_money, raw, span, uid, feeling, amount, code, doc, doc_text,
                                          day, at, at_ms, at_tz, clock, tags, counts)
                VALUES (1, '12345678901234567890123456789012345678.01234567890123456789',
                        '123456789012345678901234567890123456789012345.123456789012345', 1.5, '\\x000102ff00',
                        '1 year 2 mons -3 days 04:05:06.789012', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy, "really"',
                        12.345, 'abc', '{"a": "\\u00e9\\ud83d\\ude00", "b": [1, 2.50, null], "c": "\\u0001"}',
                        '{"a":"\\u00e9",  "b" : 1}', 'infinity', '-infinity', '2024-01-01 10:00:01.123', 'infinity', '24:00:00',
                        ARRAY['a,b', NULL, 'q"x', 'back\\slash', '{brace}', 'NULL', '', ' spaced ', E'tab\\t', 'é😀'],
                        ARRAY[1, NULL, -2147483648]),
                       (2, NULL, 'NaN', NULL, '\\x', '-1 years -2 mons +3 days -04:05:06.5', NULL, 'sad', NULL, NULL,
                        '"\\u0001"', NULL, '-infinity', 'infinity', NULL, '-infinity', '00:00:00', '{}', '{}'),
                       (3, '-99999999999999999999999999999999999999.99999999999999999999', 'Infinity', 0.001, NULL, '1 mon',
                        NULL, 'ok', 0.001, '', '[]', '[]', '4714-11-24 BC', '4714-11-24 00:00:00 BC', '2024-02-29 23:59:59.999',
                        '4714-11-24 00:00:00+00 BC', '23:59:59.999999', ARRAY[NULL]::text[], NULL),
                       (4, '0.00000000000000000001', '-Infinity', -999999999.999, NULL,
                        '178956970 years 7 mons 2147483647 days 596523:14:07.999999', NULL, NULL, NULL, NULL, 'null', 'null',
                        '5874897-12-31', '294247-01-10 04:00:54.775806', NULL, '12345-06-07 08:09:10.111213+00',
                        '12:34:56.000001', NULL, NULL),
                       (5, NULL, '0.0000001', NULL, NULL, '-00:00:00.000001', NULL, NULL, NULL, NULL, NULL, NULL,
                        '2024-02-29', '2024-02-29 12:00:00.123456', '2024-02-29 12:00:00', '2024-02-29 12:00:00.123456+05:30',
                        NULL, NULL, NULL),
                       -- set aside: DuckDB's DECIMAL(12,3) has no NaN
                       (6, NULL, NULL, 'NaN', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                        NULL, NULL),
                       -- set aside: past 294247-01-10 04:00:54.775807 Debezium's microseconds overflow
                       (7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                        '294276-12-31 23:59:59.999999', NULL, NULL, NULL, NULL, NULL),
                       -- set aside: DuckDB's timestamps end a microsecond before
                       (8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                        '294247-01-10 04:00:54.775807', NULL, NULL, NULL, NULL, NULL)""");
        source("""
                UPDATE column_types AS t SET (n_wide, n_free, n_money, raw, span, feeling, doc, day, at, at_tz, tags, counts)
                    = (o.n_wide, o.n_free, o.n_money, o.raw, o.span, o.feeling, o.doc, o.day, o.at, o.at_tz, o.tags, o.counts)
                FROM column_types AS o WHERE (t.id, o.id) IN ((1, 2), (2, 1))""");
        source("UPDATE column_types SET span = span + interval '1 mon', tags = tags || ARRAY['}{'] WHERE id = 3");
        source("DELETE FROM column_types WHERE id = 5");
        source("""
                INSERT INTO meeting_times VALUES (1, 'no time yet', NULL, NULL), (2, 'offset', '10:00:00.5+02', DEFAULT);
                UPDATE meeting_times SET note = 'still no time' WHERE id = 1;
                UPDATE meeting_times SET note = 'moved' WHERE id = 2""");

        awaitEveryChangeLoadedOrSetAside("column_types");
        awaitEveryChangeLoadedOrSetAside("meeting_times");

        assertCarriedExactlyBut("column_types", "c 6", "c 7", "c 8");
        assertThat(comparison("column_types").missing()).isEqualTo(new TableComparison.Keys(3, List.of("6", "7", "8")));
        assertCarriedExactlyBut("meeting_times", "c 2", "u 2");
        assertThat(comparison("meeting_times").missing()).isEqualTo(new TableComparison.Keys(1, List.of("2")));
        assertThat(deadLetterReasons("column_types")).containsExactly(
                "Conversion Error: Could not convert string \"NaN\" to DECIMAL(12,3) when casting from source column n_money",
                "column at: timestamp arrives from Debezium as -9223372036853775810 microseconds since 1970, before any"
                        + " timestamp PostgreSQL has: a timestamp after 294247-01-10 04:00:54.775807 overflows Debezium's"
                        + " microseconds, so its value is lost",
                "Conversion Error: Timestamp microseconds out of range: 9223372036854775807");
        assertThat(deadLetterReasons("meeting_times")).hasSize(2).allMatch(reason -> reason.startsWith(
                "column starts: time with time zone arrives from Debezium as 08:00:00.5Z, shifted to UTC without the"
                        + " offset it had in PostgreSQL"));

        // What the source then removes leaves both sides alike: the deletes carry the same values, and are set aside too.
        source("DELETE FROM column_types WHERE id IN (6, 7, 8)");
        source("DELETE FROM meeting_times WHERE id = 2");
        awaitEveryChangeLoadedOrSetAside("column_types");
        awaitEveryChangeLoadedOrSetAside("meeting_times");
        assertCarriedExactlyBut("column_types", "c 6", "c 7", "c 8", "d 6", "d 7", "d 8");
        assertCarriedExactlyBut("meeting_times", "c 2", "d 2", "u 2");
        assertMatches("column_types");
        assertMatches("meeting_times");

        assertThat(warehouseColumnTypes("column_types")).containsExactly(
                "id INTEGER", "n_wide VARCHAR", "n_free VARCHAR", "n_money DECIMAL(12,3)", "raw BLOB", "span INTERVAL",
                "uid VARCHAR", "feeling VARCHAR", "amount DECIMAL(12,3)", "code VARCHAR", "doc VARCHAR", "doc_text VARCHAR",
                "day DATE", "at TIMESTAMP", "at_ms TIMESTAMP", "at_tz TIMESTAMP WITH TIME ZONE", "clock TIME",
                "tags VARCHAR[]", "counts INTEGER[]", "big_text VARCHAR", "big_bytes BLOB");
    }

    @Test
    @Order(2)
    void valuesOfOneAndFiveMegabytesArriveWhole() throws Exception {
        source("""
                INSERT INTO column_types (id, code, big_text, big_bytes)
                VALUES (100, 'one MB', (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 32768)),
                        (SELECT decode(string_agg(md5(random()::text), ''), 'hex') FROM generate_series(1, 65536))),
                       (101, 'five MB', (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 163840)), NULL)""");
        // REPLICA IDENTITY FULL: the update's record holds the 5 MB value twice, before and after.
        source("UPDATE column_types SET code = 'changed' WHERE id = 101");
        source("DELETE FROM column_types WHERE id = 100");

        awaitEveryChangeLoadedOrSetAside("column_types");
        assertThat(rows(warehouseConnection(), """
                SELECT _op, id, length(big_text), octet_length(big_bytes) FROM column_types_history
                WHERE id >= 100 ORDER BY _kafka_offset""")).containsExactly(
                Arrays.asList("c", 100L, 1_048_576L, 1_048_576L), Arrays.asList("c", 101L, 5_242_880L, null),
                Arrays.asList("u", 101L, 5_242_880L, null), Arrays.asList("d", 100L, 1_048_576L, 1_048_576L));
        assertCarriedExactlyBut("column_types", "c 6", "c 7", "c 8", "d 6", "d 7", "d 8");
        assertMatches("column_types");
    }

    @Test
    @Order(3)
    void anUpdateLeavingAToastedValueUnchangedKeepsTheValueTheWarehouseHad() throws Exception {
        String big = "%1$s, (SELECT decode(string_agg(md5(random()::text), ''), 'hex') FROM generate_series(1, 6400)),"
                + " (SELECT array_agg(md5(random()::text)) FROM generate_series(1, 3200)),"
                + " (SELECT jsonb_agg(md5(random()::text)) FROM generate_series(1, 3200))";
        String values = big.formatted(RANDOM_100K_TEXT);
        source("INSERT INTO notes (id, title, must, body, attachment, tags, doc) VALUES (1, 'one', 1, " + values + "),"
                + " (2, 'two', 2, " + values + "), (3, 'three', 9, " + values + ")");
        // Alone in its transaction, so most likely alone in its batch: the values come from the current state.
        source("UPDATE notes SET title = 'retitled' WHERE id = 1");
        // In one batch: the new body comes from the change before, the rest from the current state.
        source("BEGIN; UPDATE notes SET title = 'a' WHERE id = 2; UPDATE notes SET body = " + RANDOM_100K_TEXT
                + " WHERE id = 2; UPDATE notes SET title = 'b', must = 8 WHERE id = 2; COMMIT");
        // A delete carries the key only; Debezium fills the NOT NULL column with its default, 7.
        source("DELETE FROM notes WHERE id = 3");
        source("BEGIN; INSERT INTO notes (id, title, body, attachment, tags, doc) VALUES (4, 'four', " + values + ");"
                + " UPDATE notes SET title = 'four, retitled' WHERE id = 4; COMMIT");
        // A primary-key update: its new row lacks the TOASTed values, and no row of its key holds them.
        source("UPDATE notes SET id = 10 WHERE id = 1");
        source("DELETE FROM notes WHERE id = 10");

        awaitEveryChangeLoadedOrSetAside("notes");
        assertThat(placeholdersIn("notes")).isZero();
        assertThat(placeholdersIn("notes_history")).isZero();
        assertCarriedExactlyBut("notes", "c 10", "d 10");
        assertMatches("notes");
        assertThat(deadLetterReasons("notes")).satisfiesExactly(
                reason -> assertThat(reason).isEqualTo("column body: a new row arrives without its value (Debezium's"
                        + " placeholder for an unchanged TOASTed value: the new row of a primary-key update under REPLICA"
                        + " IDENTITY DEFAULT), and the warehouse has no row of that key to take it from; set REPLICA IDENTITY"
                        + " FULL on the table to carry it"),
                reason -> assertThat(reason).startsWith("Invalid Input Error: column title: the change does not carry its"
                        + " value (an unchanged TOASTed value, or a column a delete leaves out under REPLICA IDENTITY DEFAULT)"
                        + " and the warehouse holds no row of its key to take it from (Kafka offset "));
        // The path was taken: Debezium sent the placeholder for every TOASTed column the updates left alone.
        assertThat(recordsWithThePlaceholder("notes")).isGreaterThanOrEqualTo(4);
    }

    @Test
    @Order(4)
    void verifyFindsNoDifferenceOnceThePipelineHasStopped() {
        context.stop();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = FlightCdc.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("verify", "--postgres-url", SOURCE.jdbcUrl(), "--postgres-user", SOURCE.user(),
                        "--duckdb", DIR.resolve("pipeline/warehouse.duckdb").toString(),
                        "-D", "flightcdc.source.password=" + SOURCE.password(),
                        "-D", "flightcdc.source.tables=" + String.join(",", TABLES.stream().map(t -> "public." + t).toList()));

        assertThat(err.toString()).isEmpty();
        assertThat(out.toString().lines().toList()).containsExactly(
                "public.column_types: source 5 rows, warehouse 5 rows, checksums equal — MATCH",
                "public.meeting_times: source 1 rows, warehouse 1 rows, checksums equal — MATCH",
                "public.notes: source 2 rows, warehouse 2 rows, checksums equal — MATCH");
        assertThat(exitCode).isZero();
    }

    /**
     * The rows the stream left, read again by a direct snapshot (flightcdc.capture.snapshot=direct) into a warehouse of
     * its own: each value must be the one the stream loaded, type by type. meeting_times is left out: a direct snapshot
     * refuses time with time zone, which no path carries.
     */
    @Test
    @Order(5)
    void aDirectSnapshotLoadsEveryValueAsTheStreamDid() throws Exception {
        Path direct = DIR.resolve("direct");
        List<String> snapshotted = List.of("column_types", "notes");
        List<String> run = List.of("run", "--no-poll", "--routes", DIR.resolve("no-routes").toString(),
                "--data-dir", direct.toString(), "--postgres-url", SOURCE.jdbcUrl(), "--postgres-user", SOURCE.user(),
                "-D", "flightcdc.kafka.embedded-port=" + FreePorts.pair(),
                "-D", "flightcdc.source.tables=" + String.join(",", snapshotted.stream().map(t -> "public." + t).toList()),
                "-D", "flightcdc.source.slot=direct", "-D", "flightcdc.source.publication=direct",
                "-D", "flightcdc.capture.snapshot=direct");
        try (ChildJvm app = ChildJvm.flightCdc(DIR.resolve("direct.log"), run,
                Map.of("FLIGHTCDC_SOURCE_PASSWORD", SOURCE.password()))) {
            app.awaitLine(java.util.regex.Pattern.compile("Direct snapshot done: 7 rows"), Duration.ofMinutes(2));
            app.stop();
        }
        for (String table : snapshotted) {
            assertThat(rows(bothWarehouses(direct), "SELECT 'only in the stream''s', * FROM (SELECT * FROM stream." + table
                    + " EXCEPT ALL SELECT * FROM direct." + table + ") UNION ALL SELECT 'only in the snapshot''s', *"
                    + " FROM (SELECT * FROM direct." + table + " EXCEPT ALL SELECT * FROM stream." + table + ")"))
                    .as(table + ": rows that differ between the warehouses").isEmpty();
        }
        assertThat(count(bothWarehouses(direct), "SELECT count(*) FROM direct.column_types_history WHERE _op = 'r'"))
                .isEqualTo(5);
    }

    /** The stream's warehouse as {@code stream}, the direct snapshot's as {@code direct}, read-only. */
    private static Connection bothWarehouses(Path direct) throws SQLException {
        Connection both = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        try (Statement s = both.createStatement()) {
            s.execute("ATTACH '" + DIR.resolve("pipeline/warehouse.duckdb").toAbsolutePath() + "' AS stream (READ_ONLY)");
            s.execute("ATTACH '" + direct.resolve("warehouse.duckdb").toAbsolutePath() + "' AS direct (READ_ONLY)");
        }
        return both;
    }

    /** Until the history and the dead letters of {@code table} together account for every change the audit recorded. */
    private void awaitEveryChangeLoadedOrSetAside(String table) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            long recorded = count(source(), "SELECT count(*) FROM audit_" + table);
            long accounted = count(warehouseConnection(), "SELECT (SELECT count(*) FROM " + table + "_history)"
                    + " + (SELECT count(*) FROM _flightcdc_dead_letter WHERE source_table = 'public." + table + "')");
            assertThat(accounted).isEqualTo(recorded);
        });
    }

    /**
     * The history holds every change the source made to {@code table}, once, each value as the source had it,
     * except exactly {@code setAside} ("op key"), each of them in the dead-letter table.
     */
    private void assertCarriedExactlyBut(String table, String... setAside) throws Exception {
        TableSchema schema = schema(table);
        Map<String, Long> recorded;
        Map<String, Long> loaded;
        try (Connection s = source(); Connection w = warehouseConnection()) {
            recorded = ExactChangeAudit.recorded(s, schema);
            loaded = ExactChangeAudit.loaded(w, schema);
        }
        assertThat(ChangeAudit.difference(loaded, recorded)).as("changes in the history the source did not make").isEmpty();
        assertThat(ExactChangeAudit.changesOf(ChangeAudit.difference(recorded, loaded)))
                .as("source changes not in the history").containsExactly(setAside);
        assertThat(count(warehouseConnection(), "SELECT count(*) FROM _flightcdc_dead_letter WHERE source_table = 'public."
                + table + "'")).isEqualTo(setAside.length);
    }

    /** What verify compares: the current state, by row counts, checksums and differing keys. */
    private TableComparison comparison(String table) throws Exception {
        try (Connection s = source(); Connection w = warehouseConnection()) {
            return TableComparison.compare(schema(table), new TableComparison.Location(s, List.of("public", table)),
                    new TableComparison.Location(w, List.of(table)), 20);
        }
    }

    private void assertMatches(String table) throws Exception {
        TableComparison result = comparison(table);
        assertThat(result.matches()).as(result.summary() + "; columns that differ: " + differingColumns(table)).isTrue();
    }

    /** For a failure's message: per column, the keys whose value differs. */
    private List<String> differingColumns(String table) throws Exception {
        TableSchema schema = schema(table);
        List<String> differing = new ArrayList<>();
        for (warehouse.Column c : schema.columns()) {
            if (schema.primaryKey().contains(c.name())) {
                continue;
            }
            TableSchema one = new TableSchema(schema.id(), List.of(schema.columns().get(0), c), schema.primaryKey());
            try (Connection s = source(); Connection w = warehouseConnection()) {
                TableComparison r = TableComparison.compare(one, new TableComparison.Location(s, List.of("public", table)),
                        new TableComparison.Location(w, List.of(table)), 20);
                if (r.different().count() > 0) {
                    differing.add(c.name() + " " + r.different().listed());
                }
            }
        }
        return differing;
    }

    private List<String> deadLetterReasons(String table) throws Exception {
        List<String> reasons = new ArrayList<>();
        try (Connection c = warehouseConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT reason FROM _flightcdc_dead_letter WHERE source_table = 'public." + table
                     + "' ORDER BY kafka_offset")) {
            while (rs.next()) {
                reasons.add(rs.getString(1));
            }
        }
        return reasons;
    }

    /** Rows of {@code table} where some text column holds the unavailable-value placeholder. */
    private long placeholdersIn(String table) throws Exception {
        String marker = "'" + UnavailableValue.PLACEHOLDER.replace("\0", "") + "'";
        return count(warehouseConnection(), "SELECT count(*) FROM " + table + " WHERE contains(title, " + marker
                + ") OR contains(body, " + marker + ") OR contains(CAST(tags AS VARCHAR), " + marker + ") OR contains(doc, "
                + marker + ") OR contains(CAST(attachment AS VARCHAR), " + marker + ")");
    }

    /** Kafka records of {@code table} holding Debezium's placeholder for an unchanged TOASTed value. */
    private long recordsWithThePlaceholder(String table) {
        Properties p = new Properties();
        p.put("bootstrap.servers", context.resolvePropertyPlaceholders("{{flightcdc.kafka.bootstrap-servers}}"));
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            var partition = new org.apache.kafka.common.TopicPartition("flightcdc.public." + table, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long found = 0;
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                    if (r.value() != null && r.value().contains("\\u0000flightcdc:unavailable\\u0000")) {
                        found++;
                    }
                }
            }
            return found;
        }
    }

    private List<String> warehouseColumnTypes(String table) throws Exception {
        List<String> columns = new ArrayList<>();
        try (Connection c = warehouseConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("DESCRIBE " + table)) {
            while (rs.next()) {
                columns.add(rs.getString("column_name") + " " + rs.getString("column_type"));
            }
        }
        return columns;
    }

    private static TableSchema schema(String table) throws SQLException {
        try (SourceDatabase db = new SourceDatabase(SOURCE.jdbcUrl(), SOURCE.user(), SOURCE.password())) {
            return new SourceCatalog(db.dataSource()).describe(new TableId("public", table));
        }
    }

    private static Connection source() throws SQLException {
        return SOURCE.connect();
    }

    private static void source(String sql) throws SQLException {
        try (Connection c = source(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (Connection c = connection; Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<List<Object>> rows(Connection connection, String sql) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        try (Connection c = connection; Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object value = rs.getObject(i);
                    row.add(value instanceof Number n && !(value instanceof java.math.BigDecimal) ? n.longValue() : value);
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
