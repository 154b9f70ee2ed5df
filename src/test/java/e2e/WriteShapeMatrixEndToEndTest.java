package e2e;

import static e2e.SourceSql.copyIn;
import static e2e.SourceSql.count;
import static e2e.SourceSql.execute;
import static e2e.SourceSql.inTransaction;
import static e2e.SourceSql.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import embedded.EmbeddedPostgresServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import monitor.CatchUp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import source.SourceCatalog;
import source.SourceDatabase;

/**
 * Every way users write to PostgreSQL, end to end through the real embedded services (PostgreSQL 17,
 * Debezium, Kafka, DuckDB), one pipeline for all of them, with the poll off as in {@code run --no-poll}.
 * Each shape writes keys of its own prefix; once the pipeline has caught up, the warehouse's history must
 * hold each change a trigger recorded in the source exactly once, and the current state must equal the
 * source's rows (verify's comparison), both for that shape's keys. At the end the pipeline stops and
 * {@code flight-cdc verify} compares every captured table as a user would, and the whole audit is compared.
 * The pipeline runs with every speed-up on: three partitions per topic, loaded by two consumer threads, and for the
 * first eight shapes by a second loader of the group too.
 *
 * <p>PostgreSQL belongs to the test: the matrix tables, their audit and {@code max_prepared_transactions}
 * are in place before the pipeline first starts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WriteShapeMatrixEndToEndTest extends PipelineTestSupport {

    private static final Logger LOG = LoggerFactory.getLogger(WriteShapeMatrixEndToEndTest.class);

    private static final Duration CATCH_UP = Duration.ofMinutes(3);
    private static final Duration LARGE_CATCH_UP = Duration.ofMinutes(6);
    private static final String SLOT = "flightcdc";
    private static final String GROUP = "flightcdc-warehouse";
    private static final int PARTITIONS = 3;
    /** Above the 100,000 of the largest INSERT … SELECT, below the 200,000 of the largest transaction. */
    private static final long MAX_TRANSACTION_CHANGES = 150_000;

    private static final Path DIR = newDirectory("shapes-");
    private static final int KAFKA_PORT = FreePorts.pair();
    /**
     * PostgreSQL's decoder spills a transaction to disk once it holds more than this; the default, 64 MB, would take
     * a transaction of half a million changes to reach, and minutes of the suite to carry.
     */
    private static final String DECODING_WORK_MEM = "4MB";
    private static final EmbeddedPostgresServer SOURCE = EmbeddedPostgresServer.start(DIR.resolve("source-postgres"),
            FreePorts.one());
    /** The source's credentials: the server's superuser and its generated password. */
    private static final String USER = SOURCE.user();
    private static final String PASSWORD = SOURCE.password();

    private final List<String> summary = new ArrayList<>();

    static {
        try (SourceDatabase schema = new SourceDatabase(SOURCE.jdbcUrl(), USER, PASSWORD);
             Connection c = schema.dataSource().getConnection()) {
            schema.migrate();
            ShapeTables.create(c);
            try (Statement s = c.createStatement()) {
                s.execute("ALTER SYSTEM SET logical_decoding_work_mem = '" + DECODING_WORK_MEM + "'");
                s.execute("SELECT pg_reload_conf()");
            }
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @AfterAll
    void stopThePipelineThenPostgres() throws Exception {
        LOG.info("Write-shape matrix:\n{}", String.join("\n", summary));
        if (secondLoader != null) {
            secondLoader.close();
        }
        // With one pipeline per class, Camel would stop it only after this method: it must not outlive PostgreSQL.
        context.stop();
        SOURCE.close();
    }

    @Override
    protected Properties pipelineSettings() {
        return settings(DIR.resolve("pipeline"),
                "flightcdc.source.jdbc-url", SOURCE.jdbcUrl(),
                "flightcdc.source.user", USER,
                "flightcdc.source.password", PASSWORD,
                "flightcdc.source.tables", ShapeTables.setting(),
                // Catching up is judged by the slot's confirmed position, which moves with the heartbeat's writes.
                "flightcdc.source.heartbeat-interval-ms", "500",
                "flightcdc.kafka.embedded-port", String.valueOf(KAFKA_PORT),
                "flightcdc.opensky.poll-enabled", "false",
                "flightcdc.load.max-transaction-changes", String.valueOf(MAX_TRANSACTION_CHANGES),
                // Every speed-up on: topics of several partitions, loaded by two consumers (the other end-to-end
                // tests run the default, one partition).
                "flightcdc.kafka.partitions", String.valueOf(PARTITIONS),
                "flightcdc.load.consumers", "2");
    }

    /** Set while a second loader process shares the consumer group (see {@link #aSecondLoaderJoinsTheGroup}). */
    private SecondLoader secondLoader;

    /**
     * A second loader joins the consumer group for the first eight shapes, as a second loader process would (Snowflake
     * lets several load one schema): Kafka shares the partitions among both loaders' consumers, moves them when it
     * joins and when it leaves, and each shape must still be loaded exactly once.
     */
    @Test
    @Order(0)
    void aSecondLoaderJoinsTheGroup() throws Exception {
        catchUp().awaitStreaming(Duration.ofMinutes(2));
        secondLoader = SecondLoader.join(context, PARTITIONS);
    }

    @Test
    @Order(9)
    void theSecondLoaderLeavesHavingLoadedItsShare() throws Exception {
        assertThat(secondLoader).as("the second loader joined").isNotNull();
        try (SecondLoader leaving = secondLoader) {
            secondLoader = null;
            summary.add(String.format(Locale.ROOT, "%-100s %,9d changes applied by a second loader of the group",
                    "(second loader, shapes 1 to 8)", leaving.applied()));
            assertThat(leaving.applied()).as("changes the second loader applied").isPositive();
            assertThat(leaving.halts()).as("loads the second loader refused for good").isZero();
        }
    }

    // ---- COPY ----------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void copyInTextFormat() throws Exception {
        shape("COPY text (JDBC CopyManager)", "txt-", List.of(ShapeTables.ITEM), 5_000, CATCH_UP, c -> {
            String rows = IntStream.rangeClosed(1, 5_000).mapToObj(i -> String.format(Locale.ROOT,
                    "txt-%05d\t%s\t%d.%02d\t%s%n", i, i % 10 == 0 ? "\\N" : String.valueOf(i), i, i % 100,
                    i % 7 == 0 ? "tab\\there, backslash \\\\ " + i : "text " + i)).collect(Collectors.joining());
            return copyIn(c, "COPY shape_item (id, qty, price, note) FROM STDIN", rows);
        });
    }

    @Test
    @Order(2)
    void copyInCsvFormat() throws Exception {
        shape("COPY csv (JDBC CopyManager)", "csv-", List.of(ShapeTables.ITEM), 5_000, CATCH_UP, c -> {
            String rows = IntStream.rangeClosed(1, 5_000).mapToObj(i -> String.format(Locale.ROOT,
                    "csv-%05d,%d,%d.%02d,%s%n", i, i, i, i % 100,
                    i % 5 == 0 ? "\"quoted, with \"\"quotes\"\"\nand a line break " + i + "\"" : "csv " + i))
                    .collect(Collectors.joining());
            return copyIn(c, "COPY shape_item (id, qty, price, note) FROM STDIN WITH (FORMAT csv)", rows);
        });
    }

    @Test
    @Order(3)
    void copyInBinaryFormat() throws Exception {
        shape("COPY binary (JDBC CopyManager)", "bin-", List.of(ShapeTables.ITEM), 5_000, CATCH_UP, c -> {
            // PGCOPY bytes as PostgreSQL writes them, for exactly the target's column types.
            ByteArrayOutputStream binary = new ByteArrayOutputStream();
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            copy.copyOut("""
                    COPY (SELECT 'bin-' || lpad(g::text, 5, '0'), g, (g * 1.25)::numeric(10,2), 'binary ' || g,
                                 now() - g * interval '1 minute'
                          FROM generate_series(1, 5000) g) TO STDOUT (FORMAT binary)""", binary);
            return copy.copyIn("COPY shape_item (id, qty, price, note, changed_at) FROM STDIN (FORMAT binary)",
                    new ByteArrayInputStream(binary.toByteArray()));
        });
    }

    /** The report that opened issue 12: 2,000 rows through psql's \copy into flight_state, nearly all of them lost. */
    @Test
    @Order(4)
    void copyThroughPsql() throws Exception {
        Assumptions.assumeTrue(Psql.installed().isPresent(), Psql.MISSING);
        Path csv = DIR.resolve("flight_state.csv");
        Files.writeString(csv, IntStream.rangeClosed(1, 2_000).mapToObj(i -> String.format(Locale.ROOT,
                "psql-%04d,PSQL%04d,2026-01-01 00:00:%02d+00%n", i, i, i % 60)).collect(Collectors.joining()));
        shape("COPY csv (psql \\copy)", "psql-", List.of(ChangeAudit.FLIGHT_STATE), 2_000, CATCH_UP, c -> {
            Psql.run(port(), USER, PASSWORD, "postgres", DIR.resolve("psql.log"),
                    "-c", "\\copy flight_state(icao24, callsign, last_contact) FROM '" + csv.toAbsolutePath() + "' WITH (FORMAT csv)");
            return count(c, "SELECT count(*) FROM flight_state WHERE icao24 LIKE 'psql-%'");
        });
    }

    // ---- Statements --------------------------------------------------------------------------------------

    @Test
    @Order(5)
    void insertSelectOf100kRows() throws Exception {
        shape("INSERT … SELECT, 100k rows", "sel-", List.of(ShapeTables.BULK), 100_000, CATCH_UP, c -> update(c, """
                INSERT INTO shape_bulk (id, n, note)
                SELECT 'sel-' || lpad(g::text, 6, '0'), g, 'selected ' || g FROM generate_series(1, 100000) g"""));
    }

    @Test
    @Order(6)
    void multiRowValues() throws Exception {
        shape("multi-row VALUES", "val-", List.of(ShapeTables.ITEM), 3_500, CATCH_UP, c -> {
            long changes = update(c, "INSERT INTO shape_item (id, qty, price, note) VALUES " + IntStream.rangeClosed(1, 1_000)
                    .mapToObj(i -> String.format(Locale.ROOT, "('val-a-%04d', %d, %d.50, 'values %d')", i, i, i, i))
                    .collect(Collectors.joining(", ")));
            // What pgjdbc sends for a batch with reWriteBatchedInserts: multi-row VALUES of up to 128 rows.
            Properties rewrite = credentials();
            rewrite.setProperty("reWriteBatchedInserts", "true");
            try (Connection batching = DriverManager.getConnection(SOURCE.jdbcUrl(), rewrite);
                 PreparedStatement insert = batching.prepareStatement(
                         "INSERT INTO shape_item (id, qty, price, note) VALUES (?, ?, ?, ?)")) {
                batching.setAutoCommit(false);
                for (int i = 1; i <= 2_000; i++) {
                    insert.setString(1, String.format(Locale.ROOT, "val-b-%04d", i));
                    insert.setInt(2, i);
                    insert.setBigDecimal(3, java.math.BigDecimal.valueOf(i, 2));
                    insert.setString(4, "batched " + i);
                    insert.addBatch();
                }
                insert.executeBatch();
                batching.commit();
                changes += 2_000;
            }
            return changes + update(c, "UPDATE shape_item t SET qty = v.qty, note = v.note FROM (VALUES "
                    + IntStream.rangeClosed(1, 500).mapToObj(i -> String.format(Locale.ROOT,
                            "('val-a-%04d', %d, 'values updated %d')", i, -i, i)).collect(Collectors.joining(", "))
                    + ") AS v (id, qty, note) WHERE t.id = v.id");
        });
    }

    @Test
    @Order(7)
    void insertOnConflict() throws Exception {
        shape("INSERT … ON CONFLICT DO UPDATE / DO NOTHING", "ups-", List.of(ShapeTables.ITEM), 2_600, CATCH_UP, c -> {
            long changes = update(c, upsert(1, 1_000, ""));
            // 501..1000 exist: 500 updates; 1001..1500 are new: 500 creates.
            changes += update(c, upsert(501, 1_500, " ON CONFLICT (id) DO UPDATE SET qty = EXCLUDED.qty + 1,"
                    + " note = 'upserted ' || EXCLUDED.note"));
            // 1001..1500 exist and are left alone; 1501..2000 are new.
            changes += update(c, upsert(1_001, 2_000, " ON CONFLICT DO NOTHING"));
            // Only the rows the WHERE lets through change: even quantities among 1..200.
            return changes + update(c, upsert(1, 200, " ON CONFLICT (id) DO UPDATE SET note = 'even ' || EXCLUDED.note"
                    + " WHERE shape_item.qty % 2 = 0"));
        });
    }

    @Test
    @Order(8)
    void merge() throws Exception {
        shape("MERGE", "mrg-", List.of(ShapeTables.ITEM), 2_000, CATCH_UP, c -> {
            long changes = update(c, """
                    INSERT INTO shape_item (id, qty, price, note)
                    SELECT 'mrg-' || lpad(g::text, 4, '0'), g, 2.5, 'before merge ' || g FROM generate_series(1, 1000) g""");
            // 501..1000 match: every fifth is deleted, the others updated; 1001..1500 are inserted.
            return changes + update(c, """
                    MERGE INTO shape_item t
                    USING (SELECT 'mrg-' || lpad(g::text, 4, '0') AS id, g FROM generate_series(501, 1500) g) s
                    ON t.id = s.id
                    WHEN MATCHED AND s.g % 5 = 0 THEN DELETE
                    WHEN MATCHED THEN UPDATE SET qty = t.qty + 1, note = 'merged ' || s.g
                    WHEN NOT MATCHED THEN INSERT (id, qty, price, note) VALUES (s.id, s.g, 3.75, 'merged new ' || s.g)""");
        });
    }

    @Test
    @Order(10)
    void oneUpdateThatChangesManyPrimaryKeys() throws Exception {
        // Each key change is a delete of the old key and a create of the new one.
        shape("one UPDATE changing 3,000 primary keys", "pk-", List.of(ShapeTables.ITEM), 3_000 + 2 * 3_000, CATCH_UP,
                c -> update(c, """
                        INSERT INTO shape_item (id, qty, note)
                        SELECT 'pk-a-' || lpad(g::text, 5, '0'), g, 'before ' || g FROM generate_series(1, 3000) g""")
                        + 2 * update(c, "UPDATE shape_item SET id = 'pk-b-' || substr(id, 6), note = 'renamed ' || id"
                        + " WHERE id LIKE 'pk-a-%'"));
    }

    @Test
    @Order(11)
    void deleteAndReinsertOfAKeyInOneTransaction() throws Exception {
        shape("delete and re-insert of keys in one transaction", "dri-", List.of(ShapeTables.ITEM), 2_203, CATCH_UP, c -> {
            long changes = update(c, "INSERT INTO shape_item (id, qty, note) SELECT 'dri-' || lpad(g::text, 4, '0'), g,"
                    + " 'first ' || g FROM generate_series(1, 500) g");
            return changes + inTransaction(c, () -> update(c, "DELETE FROM shape_item WHERE id LIKE 'dri-%'")
                    + update(c, "INSERT INTO shape_item (id, qty, note) SELECT 'dri-' || lpad(g::text, 4, '0'), g,"
                            + " 'second ' || g FROM generate_series(1, 500) g")
                    + update(c, "UPDATE shape_item SET note = note || ' updated' WHERE id LIKE 'dri-%'")
                    + update(c, "DELETE FROM shape_item WHERE id BETWEEN 'dri-0001' AND 'dri-0100'")
                    + update(c, "INSERT INTO shape_item (id, qty, note) SELECT 'dri-' || lpad(g::text, 4, '0'), g,"
                            + " 'third ' || g FROM generate_series(1, 100) g")
                    + update(c, "INSERT INTO shape_item (id, note) VALUES ('dri-new', 'born')")
                    + update(c, "DELETE FROM shape_item WHERE id = 'dri-new'")
                    + update(c, "INSERT INTO shape_item (id, note) VALUES ('dri-new', 'born again')"));
        });
    }

    // ---- Two tables, partitions --------------------------------------------------------------------------

    @Test
    @Order(12)
    void foreignKeysThatCascadeAndTransactionsThatWriteBothTables() throws Exception {
        shape("FK ON UPDATE / ON DELETE CASCADE, both tables per transaction", "fk-",
                List.of(ShapeTables.ORDER, ShapeTables.ORDER_LINE), 1_995, CATCH_UP, c -> {
                    long changes = inTransaction(c, () -> ShapeTables.insertOrders(c, "fk-o", 1, 200, 5));
                    // Renaming an order renames the key of each of its lines: a delete and a create for every one.
                    changes += inTransaction(c, () -> 2 * update(c, "UPDATE shape_order SET id = 'fk-p' || substr(id, 5),"
                            + " note = 'renamed' WHERE id BETWEEN 'fk-o001' AND 'fk-o050'")
                            + 2 * 5 * 50
                            + update(c, "UPDATE shape_order_line SET qty = qty + 1, note = 'more' WHERE order_id = 'fk-o100'"));
                    // Deleting an order deletes its lines.
                    return changes + inTransaction(c, () -> update(c,
                            "DELETE FROM shape_order WHERE id BETWEEN 'fk-o051' AND 'fk-o080'") * 6
                            + update(c, "INSERT INTO shape_order_line (order_id, line, qty, note) SELECT 'fk-o' || lpad(o::text, 3,"
                            + " '0'), 9, 1, 'added' FROM generate_series(181, 190) o"));
                });
    }

    @Test
    @Order(13)
    void aPartitionedTableWithRowsThatMoveBetweenPartitions() throws Exception {
        shape("partitioned table (publish_via_partition_root), rows moving between partitions", "prt-",
                List.of(ShapeTables.READING), 1_050, CATCH_UP, c -> {
                    // COPY into a partitioned table buffers rows per partition and writes each buffer in one WAL record.
                    long changes = copyIn(c, "COPY shape_reading (id, region, value, note, read_at) FROM STDIN WITH (FORMAT csv)",
                            IntStream.rangeClosed(1, 600).mapToObj(i -> String.format(Locale.ROOT,
                                    "prt-%04d,%s,%d.25,copied %d,2026-02-01 12:00:00+00%n", i,
                                    i <= 200 ? "eu" : i <= 400 ? "us" : "apac", i, i)).collect(Collectors.joining()));
                    // A row moved to another partition is a delete there and an insert here.
                    changes += inTransaction(c, () -> 2 * update(c, "UPDATE shape_reading SET region = 'us', note = 'moved'"
                            + " WHERE region = 'eu' AND id <= 'prt-0100'")
                            + update(c, "UPDATE shape_reading SET value = value + 1, note = 'in place' WHERE region = 'us'"
                            + " AND id > 'prt-0300'")
                            + update(c, "DELETE FROM shape_reading WHERE region = 'apac' AND id > 'prt-0550'"));
                    return changes + update(c, "INSERT INTO shape_reading (id, region, value, note) SELECT 'prt-' || g,"
                            + " 'latam', g, 'selected ' || g FROM generate_series(601, 700) g");
                });
    }

    // ---- Transactions --------------------------------------------------------------------------------------

    @Test
    @Order(14)
    void subtransactionsWithRolledBackSavepoints() throws Exception {
        shape("subtransactions, rolled-back savepoints, a rolled-back transaction", "sub-", List.of(ShapeTables.ITEM),
                100 + 50 + 10 + 50, CATCH_UP, c -> {
                    long changes = inTransaction(c, () -> {
                        long kept = update(c, subItems(1, 100, "kept"));
                        execute(c, "SAVEPOINT a");
                        update(c, subItems(101, 200, "rolled back"));
                        update(c, "UPDATE shape_item SET note = 'rolled back' WHERE id BETWEEN 'sub-0001' AND 'sub-0050'");
                        execute(c, "ROLLBACK TO SAVEPOINT a");
                        execute(c, "SAVEPOINT b");
                        kept += update(c, "UPDATE shape_item SET note = 'released' WHERE id BETWEEN 'sub-0001' AND 'sub-0050'");
                        execute(c, "RELEASE SAVEPOINT b");
                        execute(c, "SAVEPOINT c");
                        update(c, "DELETE FROM shape_item WHERE id BETWEEN 'sub-0051' AND 'sub-0100'");
                        execute(c, "SAVEPOINT d");
                        update(c, subItems(300, 300, "nested, rolled back with its parent"));
                        execute(c, "RELEASE SAVEPOINT d");
                        execute(c, "ROLLBACK TO SAVEPOINT c");
                        // PL/pgSQL runs a block with an exception handler as a subtransaction.
                        execute(c, """
                                DO $$ BEGIN
                                    BEGIN
                                        INSERT INTO shape_item (id, note) SELECT 'sub-' || (400 + g), 'undone' FROM generate_series(1, 50) g;
                                        PERFORM 1 / 0;
                                    EXCEPTION WHEN division_by_zero THEN NULL;
                                    END;
                                    INSERT INTO shape_item (id, note) SELECT 'sub-' || (500 + g), 'after the handler' FROM generate_series(1, 10) g;
                                END $$""");
                        kept += 10;
                        // More subtransactions than PostgreSQL keeps in a transaction's cache (64), every other one undone.
                        for (int i = 1; i <= 100; i++) {
                            execute(c, "SAVEPOINT s" + i);
                            update(c, subItems(1_000 + i, 1_000 + i, "savepoint " + i));
                            execute(c, (i % 2 == 0 ? "ROLLBACK TO SAVEPOINT s" : "RELEASE SAVEPOINT s") + i);
                        }
                        return kept + 50;
                    });
                    c.setAutoCommit(false);
                    update(c, subItems(2_000, 2_099, "never committed"));
                    c.rollback();
                    c.setAutoCommit(true);
                    return changes;
                });
    }

    @Test
    @Order(15)
    void preparedTransactions() throws Exception {
        shape("PREPARE TRANSACTION / COMMIT PREPARED (and one ROLLBACK PREPARED)", "2pc-", List.of(ShapeTables.ITEM),
                200 + 50 + 100, CATCH_UP, c -> {
                    execute(c, "BEGIN; " + twoPhaseItems(1, 200, "prepared") + "; UPDATE shape_item SET note = 'prepared,"
                            + " updated' WHERE id BETWEEN '2pc-0001' AND '2pc-0050'; PREPARE TRANSACTION 'shapes-commit'");
                    execute(c, "BEGIN; " + twoPhaseItems(1_001, 1_100, "prepared, then rolled back")
                            + "; PREPARE TRANSACTION 'shapes-rollback'");
                    // Committed while the first is prepared: it reaches the warehouse first, as it reached the log.
                    long changes = update(c, twoPhaseItems(2_001, 2_100, "committed in between"));
                    try (Connection other = source()) {
                        execute(other, "COMMIT PREPARED 'shapes-commit'");
                        execute(other, "ROLLBACK PREPARED 'shapes-rollback'");
                    }
                    return changes + 200 + 50;
                });
    }

    @Test
    @Order(16)
    void concurrentClientsWritingDifferentShapes() throws Exception {
        shape("4 concurrent clients: COPY, small VALUES transactions, upserts and key updates, orders with lines", "con-",
                List.of(ShapeTables.ITEM, ShapeTables.ORDER, ShapeTables.ORDER_LINE), 0, CATCH_UP,
                c -> ConcurrentClients.run(WriteShapeMatrixEndToEndTest::source));
    }

    /**
     * A transaction of 200,000 changes, more than the loader holds back ({@link #MAX_TRANSACTION_CHANGES}), so it is
     * loaded in parts; PostgreSQL's decoder holds more than logical_decoding_work_mem of it and spills it to disk.
     */
    @Test
    @Order(17)
    void aTransactionOfTwoHundredThousandChanges() throws Exception {
        long spilledBefore = spilledTransactions();
        // Half the rows are deleted again, so that the comparisons after it have fewer rows to read.
        shape("one transaction of 200,000 changes", "big-", List.of(ShapeTables.BULK), 200_000, LARGE_CATCH_UP,
                c -> inTransaction(c, () -> update(c, """
                        INSERT INTO shape_bulk (id, n, note)
                        SELECT 'big-' || lpad(g::text, 6, '0'), g, 'big ' || g FROM generate_series(1, 80000) g""")
                        + update(c, "UPDATE shape_bulk SET n = n + 1, note = note || ' updated' WHERE id LIKE 'big-%'")
                        + update(c, "DELETE FROM shape_bulk WHERE id LIKE 'big-%' AND n % 2 = 0")));
        // The walsender reports its statistics at most once a second.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(spilledTransactions()).as("transactions the decoder spilled to disk").isGreaterThan(spilledBefore));
    }

    @Test
    @Order(18)
    void aTruncateOfTwoTablesInOneStatement() throws Exception {
        shape("TRUNCATE of two tables in one statement, between other changes; TRUNCATE of a partitioned table", "trn-",
                List.of(ShapeTables.ORDER, ShapeTables.ORDER_LINE), 20 * 3 + 3 + 3, CATCH_UP, c -> {
                    long changes = inTransaction(c, () -> ShapeTables.insertOrders(c, "trn-o", 1, 20, 2));
                    changes += inTransaction(c, () -> {
                        long before = ShapeTables.insertOrders(c, "trn-o", 100, 100, 2);
                        execute(c, "TRUNCATE shape_order, shape_order_line");
                        return before + ShapeTables.insertOrders(c, "trn-o", 200, 200, 2);
                    });
                    execute(c, "TRUNCATE shape_reading");
                    return changes;
                });
        // Each truncate is in the history once, and leaves nothing of the earlier shapes in its table: the current
        // state must match whatever the keys' prefix.
        try (Connection source = source(); Connection warehouse = warehouseConnection()) {
            ShapeCheck check = new ShapeCheck(0, List.of());
            for (ChangeAudit.Table table : List.of(ShapeTables.ORDER, ShapeTables.ORDER_LINE, ShapeTables.READING)) {
                check = check.and(ShapeCheck.truncates(source, warehouse, table))
                        .and(ShapeCheck.currentState(source, warehouse, catalog(), table, ""));
            }
            assertThat(check.changes()).as("truncates recorded").isEqualTo(3);
            assertThat(check.differences()).as("the truncated tables").isEmpty();
        }
    }

    // ---- All of it, as a user checks it ---------------------------------------------------------------------

    @Test
    @Order(100)
    void verifyFindsEveryCapturedTableEqualAndTheHistoryHoldsEachChangeOnce() throws Exception {
        catchUp().awaitLoaded(CATCH_UP);
        // DuckDB allows one process to open the file: the pipeline lets go of it when it stops.
        context.stop();

        List<String> verify = List.of("verify", "--postgres-url", SOURCE.jdbcUrl(), "--postgres-user", USER,
                "--duckdb", duckdb().toString(), "--max-keys", "5",
                "-D", "flightcdc.source.tables=" + ShapeTables.setting());
        // The password as a user gives it: in the environment, not on the command line.
        try (ChildJvm run = ChildJvm.flightCdc(DIR.resolve("verify.log"), verify,
                Map.of("FLIGHTCDC_SOURCE_PASSWORD", PASSWORD))) {
            int exit = run.awaitExit(Duration.ofMinutes(3));
            List<String> lines = run.lines().stream().filter(l -> l.startsWith("public.")).toList();
            summary.add("flight-cdc verify: exit " + exit + "\n  " + String.join("\n  ", lines));
            assertThat(lines).as("flight-cdc verify's verdicts; its output ends with:\n%s", run.tail(20))
                    .hasSize(ShapeTables.CAPTURED.size()).allMatch(l -> l.endsWith("MATCH") && !l.contains("differ"));
            assertThat(exit).as("flight-cdc verify's exit code").isZero();
        }

        // Each shape compared its own keys' changes as multisets; that the totals agree too leaves no change in the
        // history beyond those, and none recorded outside them.
        Properties readOnly = new Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        try (Connection source = source();
             Connection warehouse = DriverManager.getConnection("jdbc:duckdb:" + duckdb().toAbsolutePath(), readOnly)) {
            long changes = 0;
            for (ChangeAudit.Table table : ShapeTables.CAPTURED) {
                long recorded = ChangeAudit.count(source, table);
                assertThat(ChangeAudit.historyRows(warehouse, table)).as("rows in %s_history", table.name()).isEqualTo(recorded);
                changes += recorded;
            }
            summary.add(String.format(Locale.ROOT, "audit: %,d source changes in all, as many rows in the histories", changes));

            // Each source transaction's share in each partition became visible at once, in one warehouse transaction,
            // whatever its size and the tables it wrote; only one larger than may be held back was loaded in parts.
            Map<Long, Long> inParts = ChangeAudit.transactionsLoadedInParts(warehouse, ShapeTables.CAPTURED);
            summary.add("source transactions loaded in more than one warehouse transaction: " + inParts);
            assertThat(inParts).as("source transactions loaded in parts, and their sizes")
                    .allSatisfy((txId, size) -> assertThat(size).isGreaterThan(MAX_TRANSACTION_CHANGES));
            assertThat(inParts.values()).as("the transaction of 200,000 changes, loaded in parts")
                    .anySatisfy(size -> assertThat(size).isGreaterThanOrEqualTo(200_000L));
        }
    }

    // ---- How a shape is run and checked ---------------------------------------------------------------------

    /** Writes to the source and returns how many changes (as Debezium emits them) it made. */
    @FunctionalInterface
    private interface Writes {
        long write(Connection source) throws Exception;
    }

    /**
     * Runs one shape: {@code writes}, then waits until the pipeline has caught up, then checks the history and
     * the current state of {@code tables} for the keys starting with {@code prefix}. {@code expected} is the
     * number of changes the shape makes (0: as many as {@code writes} says), so a shape that did not do what it
     * should fails too.
     */
    private void shape(String name, String prefix, List<ChangeAudit.Table> tables, long expected, Duration catchUp,
                       Writes writes) throws Exception {
        // The slot is in use once Debezium's snapshot (of the empty tables) is done.
        catchUp().awaitStreaming(Duration.ofMinutes(2));
        long started = System.nanoTime();
        long written;
        try (Connection c = source()) {
            written = writes.write(c);
        }
        long committed = System.nanoTime();
        catchUp().awaitLoaded(catchUp);
        long loaded = System.nanoTime();

        ShapeCheck check = new ShapeCheck(0, List.of());
        try (Connection source = source(); Connection warehouse = warehouseConnection()) {
            for (ChangeAudit.Table table : tables) {
                check = check.and(ShapeCheck.of(source, warehouse, catalog(), table, prefix));
            }
        }
        summary.add(String.format(Locale.ROOT, "%-100s %,9d changes  written in %5.1f s  loaded %5.1f s later  %s",
                name, check.changes(), seconds(committed - started), seconds(loaded - committed),
                check.differences().isEmpty() ? "exactly once" : check.differences().size() + " differences"));
        LOG.info("Shape '{}': {} changes written in {} ms, loaded {} ms later; {}", name, check.changes(),
                TimeUnit.NANOSECONDS.toMillis(committed - started), TimeUnit.NANOSECONDS.toMillis(loaded - committed),
                check.differences().isEmpty() ? "exactly once" : check.differences());

        assertThat(written).as("changes the shape '%s' says it made", name).isEqualTo(expected == 0 ? written : expected);
        assertThat(check.changes()).as("changes the audit recorded for '%s'", name).isEqualTo(written);
        assertThat(check.differences()).as("shape '%s': differences between the source and the warehouse", name).isEmpty();
    }


    private CatchUp catchUp() {
        return CatchUps.of(SOURCE.jdbcUrl(), USER, PASSWORD, SLOT, "127.0.0.1:" + KAFKA_PORT, GROUP,
                ShapeTables.CAPTURED.stream().map(t -> "flightcdc.public." + t.name()).toList());
    }

    private SourceCatalog catalog() {
        return new SourceCatalog(context.getRegistry().lookupByNameAndType("sourceDatabase", SourceDatabase.class)
                .dataSource());
    }

    private long spilledTransactions() throws SQLException {
        try (Connection c = source()) {
            return count(c, "SELECT coalesce(sum(spill_txns), 0) FROM pg_stat_replication_slots WHERE slot_name = '"
                    + SLOT + "'");
        }
    }

    private static Path duckdb() {
        return DIR.resolve("pipeline").resolve("warehouse.duckdb");
    }

    // ---- Writing -------------------------------------------------------------------------------------------------

    private static String upsert(int from, int to, String onConflict) {
        return "INSERT INTO shape_item (id, qty, price, note) SELECT 'ups-' || lpad(g::text, 4, '0'), g, g / 4.0,"
                + " 'upsert ' || g FROM generate_series(" + from + ", " + to + ") g" + onConflict;
    }

    private static String subItems(int from, int to, String note) {
        return "INSERT INTO shape_item (id, note) SELECT 'sub-' || lpad(g::text, 4, '0'), '" + note + "'"
                + " FROM generate_series(" + from + ", " + to + ") g";
    }

    private static String twoPhaseItems(int from, int to, String note) {
        return "INSERT INTO shape_item (id, qty, note) SELECT '2pc-' || lpad(g::text, 4, '0'), g, '" + note + "'"
                + " FROM generate_series(" + from + ", " + to + ") g";
    }

    private static Connection source() throws SQLException {
        return DriverManager.getConnection(SOURCE.jdbcUrl(), credentials());
    }

    private static Properties credentials() {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        return p;
    }

    private static int port() {
        return Integer.parseInt(SOURCE.jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1"));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
