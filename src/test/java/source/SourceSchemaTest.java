package source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import settings.StartupException;

/**
 * What the pipeline makes in a source database: its own schema, and the poll's tables only when asked for.
 * A database with tables and a Flyway history of its own keeps them as they were; a database an earlier
 * version set up (everything in public) is moved over once, its heartbeat table and publication kept.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SourceSchemaTest {

    private TestSource server;

    @BeforeAll
    void start() throws Exception {
        server = TestSource.start("source-schema");
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
    }

    @Test
    void aDatabaseOfTheirOwnGetsTheSchemaOfThePipelineAndNothingElse() throws Exception {
        try (SourceDatabase theirs = database("theirs")) {
            // Their own Flyway, with its history in public as Flyway's default, and their rows.
            Flyway.configure().dataSource(theirs.dataSource()).locations("classpath:their-schema").load().migrate();
            execute(theirs, "INSERT INTO orders (id, amount) SELECT g, g * 1.5 FROM generate_series(1, 100) g");
            List<String> publicBefore = rows(theirs, "SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = 'public' ORDER BY 1");
            List<String> historyBefore = rows(theirs, "SELECT version || ' ' || script || ' ' || checksum"
                    + " FROM public.flyway_schema_history ORDER BY installed_rank");

            theirs.migrate("flightcdc", false);
            theirs.migrate("flightcdc", false);

            assertThat(rows(theirs, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                    + " ORDER BY 1")).isEqualTo(publicBefore).containsExactly("flyway_schema_history", "order_lines", "orders");
            assertThat(rows(theirs, "SELECT version || ' ' || script || ' ' || checksum FROM public.flyway_schema_history"
                    + " ORDER BY installed_rank")).isEqualTo(historyBefore);
            assertThat(rows(theirs, "SELECT count(*) FROM orders")).containsExactly("100");
            assertThat(rows(theirs, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'flightcdc'"
                    + " ORDER BY 1")).containsExactly("capture_position", "flyway_schema_history", "heartbeat");
            // Their Flyway still finds its history as it left it.
            Flyway.configure().dataSource(theirs.dataSource()).locations("classpath:their-schema").load().validate();

            // The poll turned on later: its tables, in public, with their history beside the pipeline's.
            theirs.migrate("flightcdc", true);
            assertThat(rows(theirs, "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                    + " WHERE table_schema IN ('public', 'flightcdc') ORDER BY 1")).containsExactly(
                    "flightcdc.capture_position", "flightcdc.flyway_schema_history", "flightcdc.heartbeat",
                    "flightcdc.poll_schema_history", "public.flight_state", "public.flyway_schema_history", "public.order_lines",
                    "public.orders", "public.rejected_state");
        }
    }

    @Test
    void aDatabaseAnEarlierVersionSetUpIsMovedOverOnceKeepingItsRowsAndPublication() throws Exception {
        try (SourceDatabase earlier = database("earlier")) {
            // As releases before the pipeline's own schema left it: both migrations recorded in public's history.
            Flyway.configure().dataSource(earlier.dataSource()).locations("classpath:legacy-source-schema").load().migrate();
            execute(earlier, "INSERT INTO flight_state (icao24, callsign) VALUES ('abc123', 'KEEP')");
            execute(earlier, "INSERT INTO flightcdc_heartbeat VALUES (1, '2026-11-30 12:00:00+00')");
            execute(earlier, "CREATE PUBLICATION flightcdc FOR TABLE flight_state, flightcdc_heartbeat");

            earlier.migrate("flightcdc", true);
            earlier.migrate("flightcdc", true);

            assertThat(rows(earlier, "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                    + " WHERE table_schema IN ('public', 'flightcdc') ORDER BY 1")).containsExactly(
                    "flightcdc.capture_position", "flightcdc.flyway_schema_history", "flightcdc.heartbeat",
                    "flightcdc.poll_schema_history", "public.flight_state", "public.rejected_state");
            assertThat(rows(earlier, "SELECT callsign FROM flight_state")).containsExactly("KEEP");
            assertThat(rows(earlier, "SELECT beat_at::text FROM flightcdc.heartbeat")).containsExactly("2026-11-30 12:00:00+00");
            assertThat(rows(earlier, "SELECT schemaname || '.' || tablename FROM pg_publication_tables"
                    + " WHERE pubname = 'flightcdc' ORDER BY 1")).containsExactly("flightcdc.heartbeat", "public.flight_state");
            assertThat(rows(earlier, "SELECT coalesce(version, '-') || ' ' || success FROM flightcdc.flyway_schema_history"
                    + " ORDER BY installed_rank")).last().isEqualTo("2 true");
            assertThat(rows(earlier, "SELECT coalesce(version, '-') || ' ' || success FROM flightcdc.poll_schema_history"
                    + " ORDER BY installed_rank")).last().isEqualTo("1 true");
        }
    }

    @Test
    void aHistoryInPublicThatAlsoHoldsTheirMigrationsIsLeftAsItIs() throws Exception {
        try (SourceDatabase mixed = database("mixed")) {
            Flyway.configure().dataSource(mixed.dataSource()).locations("classpath:legacy-source-schema", "classpath:their-mixed-schema")
                    .load().migrate();
            List<String> history = rows(mixed, "SELECT script FROM public.flyway_schema_history ORDER BY installed_rank");

            mixed.migrate("flightcdc", true);

            assertThat(rows(mixed, "SELECT script FROM public.flyway_schema_history ORDER BY installed_rank")).isEqualTo(history);
            assertThat(rows(mixed, "SELECT count(*) FROM flightcdc.heartbeat")).containsExactly("0");
            assertThat(rows(mixed, "SELECT (to_regclass('public.flightcdc_heartbeat') IS NULL)::text")).containsExactly("true");
        }
    }

    @Test
    void aUserOfLeastPrivilegeIsToldWhichGrantItLacks() throws Exception {
        try (SourceDatabase admin = database("lean")) {
            execute(admin, "CREATE ROLE lean LOGIN PASSWORD 'lean-password'");
            try (SourceDatabase lean = new SourceDatabase(server.jdbcUrl().replaceFirst("/postgres$", "/lean"), "lean",
                    "lean-password")) {
                assertThatThrownBy(() -> lean.migrate("flightcdc", false)).isInstanceOf(StartupException.class)
                        .hasMessage("Role lean may not create the pipeline's schema flightcdc in database lean. Fix, as a"
                                + " superuser: CREATE SCHEMA flightcdc AUTHORIZATION lean; (sql/roles/source-role.sql does it)");

                execute(admin, "CREATE SCHEMA flightcdc");
                assertThatThrownBy(() -> lean.migrate("flightcdc", false)).isInstanceOf(StartupException.class)
                        .hasMessage("Role lean may not make tables in the pipeline's schema flightcdc. Fix, as a superuser:"
                                + " ALTER SCHEMA flightcdc OWNER TO lean;");

                execute(admin, "ALTER SCHEMA flightcdc OWNER TO lean");
                lean.migrate("flightcdc", false);
                assertThatThrownBy(() -> lean.migrate("flightcdc", true)).isInstanceOf(StartupException.class)
                        .hasMessageStartingWith("Role lean may not create the poll's tables public.flight_state and"
                                + " public.rejected_state. Fix, as a superuser: GRANT CREATE ON SCHEMA public TO lean;");
                assertThat(rows(admin, "SELECT tableowner FROM pg_tables WHERE schemaname = 'flightcdc' ORDER BY tablename"))
                        .containsExactly("lean", "lean", "lean");
            }
        }
    }

    /** A new database on the test's server. */
    private SourceDatabase database(String name) throws SQLException {
        try (Connection c = server.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new SourceDatabase(server.jdbcUrl().replaceFirst("/postgres$", "/" + name), "postgres", server.password());
    }

    private static void execute(SourceDatabase database, String sql) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<String> rows(SourceDatabase database, String sql) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
            return rows;
        }
    }
}
