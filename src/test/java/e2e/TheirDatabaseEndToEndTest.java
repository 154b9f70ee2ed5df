package e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import capture.SnapshotProgress;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import source.SourceDatabase;

/**
 * A user points the pipeline at a database of their own, with the poll off, to capture their own tables:
 * the database already holds those tables, their rows, and a Flyway history of its own in public. The pipeline
 * logs in as a user of least privilege, set up by sql/roles/source-role.sql: not a superuser, owner of none of
 * their tables. The start does not trip over any of it, makes nothing in public, and keeps the pipeline's objects
 * in a schema of its own; the rows there before arrive through the snapshot, and the changes made after by two
 * clients arrive exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TheirDatabaseEndToEndTest extends PipelineTestSupport {

    private static final ChangeAudit.Table ORDERS = new ChangeAudit.Table("orders", List.of("id"), "note");
    private static final ChangeAudit.Table LINES = new ChangeAudit.Table("order_lines", List.of("order_id", "line"), "sku");
    private static final Path DIR;
    private static final EmbeddedPostgresServer THEIR_POSTGRES;
    private static final List<String> PUBLIC_BEFORE;
    private static final String ROLE = "flightcdc";
    private static final String ROLE_PASSWORD = "role's 'quoted' secret";

    static {
        DIR = newDirectory("their-database-");
        THEIR_POSTGRES = EmbeddedPostgresServer.start(DIR.resolve("their-postgres"), FreePorts.one());
        try (SourceDatabase theirs = new SourceDatabase(THEIR_POSTGRES.jdbcUrl(), THEIR_POSTGRES.user(), THEIR_POSTGRES.password());
             Connection c = theirs.dataSource().getConnection()) {
            Flyway.configure().dataSource(theirs.dataSource()).locations("classpath:their-schema").load().migrate();
            SourceSql.execute(c, "INSERT INTO orders (id, amount, note) SELECT g, g * 1.25, 'before ' || g FROM generate_series(1, 3000) g");
            SourceSql.execute(c, "INSERT INTO order_lines SELECT o, l, 'sku-' || o || '-' || l FROM generate_series(1, 3000) o,"
                    + " generate_series(1, 3) l");
            PUBLIC_BEFORE = publicTables(c);
            // Their DBA sets up the pipeline's user as the shipped script does, with psql.
            Psql.run(port(THEIR_POSTGRES), THEIR_POSTGRES.user(), THEIR_POSTGRES.password(), "postgres", DIR.resolve("psql.log"),
                    "-v", "role=" + ROLE, "-v", "password=" + ROLE_PASSWORD, "-v", "tables=public.orders, public.order_lines",
                    "-f", Path.of("sql", "roles", "source-role.sql").toString());
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @AfterAll
    void stopThePipelineThenTheirServer() throws Exception {
        context.stop();
        THEIR_POSTGRES.close();
    }

    @Override
    protected Properties pipelineSettings() {
        return settings(DIR.resolve("pipeline"),
                "flightcdc.source.jdbc-url", THEIR_POSTGRES.jdbcUrl(),
                "flightcdc.source.user", ROLE,
                "flightcdc.source.password", ROLE_PASSWORD,
                "flightcdc.source.tables", "public.orders,public.order_lines",
                "flightcdc.kafka.embedded-port", String.valueOf(FreePorts.pair()),
                "flightcdc.opensky.poll-enabled", "false");
    }

    @Test
    void capturesTheirTablesExactlyOnceAndLeavesTheRestOfTheirDatabaseAsItWas() throws Exception {
        // Changes committed before the snapshot's point arrive in it as rows ('r'): the clients write once it is read.
        SnapshotProgress snapshot = context.getRegistry().lookupByNameAndType("snapshotProgress", SnapshotProgress.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> snapshot.summary().isPresent());
        try (Connection c = THEIR_POSTGRES.connect()) {
            // The start made nothing in public: no flight_state, no history of the pipeline's in theirs.
            assertThat(publicTables(c)).isEqualTo(PUBLIC_BEFORE).containsExactly("flyway_schema_history", "order_lines", "orders");
            assertThat(SourceSql.count(c, "SELECT count(*) FROM public.flyway_schema_history WHERE success")).isEqualTo(2);
            assertThat(SourceSql.count(c, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'flightcdc'"
                    + " AND table_name IN ('heartbeat', 'flyway_schema_history')")).isEqualTo(2);
            // A user of least privilege, whose publication now also holds the heartbeat table it added itself.
            assertThat(SourceSql.count(c, "SELECT count(*) FROM pg_roles WHERE rolname = '" + ROLE + "' AND NOT rolsuper"
                    + " AND NOT has_database_privilege(rolname, current_database(), 'CREATE')")).isEqualTo(1);
            assertThat(SourceSql.count(c, "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'flightcdc'"
                    + " AND schemaname || '.' || tablename IN ('public.orders', 'public.order_lines', 'flightcdc.heartbeat')"))
                    .isEqualTo(3);
            ChangeAudit.install(c, ORDERS);
            ChangeAudit.install(c, LINES);
        }

        // Two clients at once: one updates and deletes orders in bulk (the lines go with them, ON DELETE CASCADE),
        // the other adds new orders with their lines by COPY.
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try {
            List<Future<Long>> writes = new ArrayList<>();
            writes.add(clients.submit(() -> {
                try (Connection c = THEIR_POSTGRES.connect()) {
                    return SourceSql.update(c, "UPDATE orders SET note = 'updated ' || id WHERE id <= 3000 AND id % 3 = 0")
                            + SourceSql.update(c, "DELETE FROM orders WHERE id <= 3000 AND id % 10 = 1");
                }
            }));
            writes.add(clients.submit(() -> {
                try (Connection c = THEIR_POSTGRES.connect()) {
                    return SourceSql.inTransaction(c, () -> {
                        StringBuilder orders = new StringBuilder();
                        StringBuilder lines = new StringBuilder();
                        for (int id = 3001; id <= 4000; id++) {
                            orders.append(id).append(",9.99,copied ").append(id).append('\n');
                            lines.append(id).append(",1,sku-").append(id).append("-1\n");
                        }
                        return SourceSql.copyIn(c, "COPY orders (id, amount, note) FROM STDIN (FORMAT csv)", orders.toString())
                                + SourceSql.copyIn(c, "COPY order_lines FROM STDIN (FORMAT csv)", lines.toString());
                    });
                }
            }));
            for (Future<Long> write : writes) {
                assertThat(write.get()).isPositive();
            }
        } finally {
            clients.shutdownNow();
        }

        try (Connection source = THEIR_POSTGRES.connect()) {
            for (ChangeAudit.Table table : List.of(ORDERS, LINES)) {
                Map<String, Long> recorded = ChangeAudit.recorded(source, table, "");
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    try (Connection warehouse = warehouseConnection()) {
                        assertThat(streamed(warehouse, table)).as(table.name()).isGreaterThanOrEqualTo(ChangeAudit.size(recorded));
                    }
                });
                try (Connection warehouse = warehouseConnection()) {
                    Map<String, Long> loaded = ChangeAudit.loaded(warehouse, table, "");
                    // The snapshot's rows ('r') are not in the audit, which started after them.
                    loaded.keySet().removeIf(change -> change.startsWith(table.name() + " r "));
                    assertThat(ChangeAudit.difference(recorded, loaded)).as(table.name() + ": recorded but not loaded, or"
                            + " loaded but not recorded").isEmpty();
                    assertThat(SourceSql.count(warehouse, "SELECT count(*) FROM " + table.name() + "_history WHERE _op = 'r'"))
                            .as(table.name() + " rows before the first start").isEqualTo(table == ORDERS ? 3000 : 9000);
                    assertThat(SourceSql.count(warehouse, "SELECT count(*) FROM " + table.name()))
                            .isEqualTo(SourceSql.count(source, "SELECT count(*) FROM " + table.name()));
                }
            }
        }
    }

    private static int port(EmbeddedPostgresServer server) {
        return Integer.parseInt(server.jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1"));
    }

    private static long streamed(Connection warehouse, ChangeAudit.Table table) throws Exception {
        return SourceSql.count(warehouse, "SELECT count(*) FROM " + table.name() + "_history WHERE _op IN ('c', 'u', 'd')");
    }

    private static List<String> publicTables(Connection c) throws Exception {
        List<String> tables = new ArrayList<>();
        try (var s = c.createStatement(); var rs = s.executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }
}
