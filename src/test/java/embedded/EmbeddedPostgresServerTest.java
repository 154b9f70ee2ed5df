package embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import e2e.ChildJvm;
import e2e.FreePorts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import settings.StartupException;

/** Starting the embedded PostgreSQL: who may log in, and where an earlier run ended badly or an older version left its data. */
class EmbeddedPostgresServerTest {

    /** PostgreSQL's SQLSTATE for a wrong password. */
    private static final String INVALID_PASSWORD = "28P01";

    @Test
    void onAPlatformWithoutBinariesTheStartSaysToUseAPostgresOfYourOwn() throws Exception {
        Path data = newDataDirectory("platform-");
        // zonky picks the binaries by os.arch, once per JVM: a JVM of its own that says it runs on a processor
        // no binaries exist for.
        try (ChildJvm run = ChildJvm.start(Path.of(data + ".log"), List.of("-Dos.arch=sparc"), "cli.FlightCdc",
                List.of("run", "--no-poll", "--data-dir", data.toString(),
                        "-D", "flightcdc.source.embedded-port=" + FreePorts.one()))) {
            assertThat(run.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(run.lines()).contains("There is no embedded PostgreSQL for " + System.getProperty("os.name")
                    + " on sparc: it runs on Linux and macOS, on x86-64 and arm64. Fix: point flightcdc.source.jdbc-url"
                    + " (run --postgres-url) at a PostgreSQL 14 or newer of your own, with wal_level=logical");
        }
    }

    @Test
    void aServerLeftRunningByAKilledRunIsStoppedAndItsDataServedAgain() throws Exception {
        Path data = newDataDirectory("orphan-");
        int port = FreePorts.one();
        ProcessHandle orphan;
        try (ChildJvm run = ChildJvm.start(Path.of(data + ".log"), List.of(), PostgresUntilKilled.class.getName(),
                List.of(data.toString(), String.valueOf(port)))) {
            String jdbcUrl = run.awaitLine(Pattern.compile("^READY "), Duration.ofSeconds(60)).substring("READY ".length());
            execute(jdbcUrl, password(data), "CREATE TABLE survivor (id int); INSERT INTO survivor VALUES (42)");
            orphan = ProcessHandle.of(postmasterPid(data)).orElseThrow();
            run.kill();
        }
        try {
            assertThat(orphan.isAlive()).as("postgres outlives the killed JVM").isTrue();

            try (EmbeddedPostgresServer restarted = EmbeddedPostgresServer.start(data, port)) {
                assertThat(orphan.isAlive()).isFalse();
                assertThat(postmasterPid(data)).isNotEqualTo(orphan.pid());
                assertThat(queryInt(restarted, "SELECT id FROM survivor")).isEqualTo(42);
            }
        } finally {
            stop(orphan);
        }
    }

    @Test
    void aServerWhoseOwnerStillRunsIsLeftRunningAndTheSecondStartRefused() throws Exception {
        Path data = newDataDirectory("owned-");
        try (ChildJvm owner = ChildJvm.start(Path.of(data + ".log"), List.of(), PostgresUntilKilled.class.getName(),
                List.of(data.toString(), String.valueOf(FreePorts.one())))) {
            String jdbcUrl = owner.awaitLine(Pattern.compile("^READY "), Duration.ofSeconds(60)).substring("READY ".length());
            long postmaster = postmasterPid(data);

            assertThatThrownBy(() -> EmbeddedPostgresServer.start(data, FreePorts.one()))
                    .isInstanceOf(StartupException.class).hasMessageContaining("in use by another process");
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).as("the owner's server").contains(true);
            execute(jdbcUrl, password(data), "SELECT 1");
            owner.stop();
        }
    }

    @Test
    void aStalePidFileWhosePidNowBelongsToAnotherProcessDoesNotStopTheStart() throws Exception {
        Path data = newDataDirectory("stale-");
        int port = FreePorts.one();
        EmbeddedPostgresServer.start(data, port).close();
        Process unrelated = new ProcessBuilder("sleep", "120").start();
        try {
            // What a server killed with the machine leaves behind, once a reboot has handed its pid to another process.
            Files.writeString(data.resolve("postmaster.pid"), String.join("\n", String.valueOf(unrelated.pid()),
                    data.toAbsolutePath().toString(), String.valueOf(Instant.now().minusSeconds(3600).getEpochSecond()),
                    String.valueOf(port), "/tmp", "127.0.0.1", "  5432001         0", "ready   ", ""));

            try (EmbeddedPostgresServer restarted = EmbeddedPostgresServer.start(data, port)) {
                assertThat(queryInt(restarted, "SELECT 1")).isEqualTo(1);
                assertThat(unrelated.isAlive()).as("the other process is left alone").isTrue();
            }
        } finally {
            unrelated.destroyForcibly().waitFor();
        }
    }

    @Test
    void aNewServerAsksForThePasswordItKeepsBesideItsDataForItsOwnerOnly() throws Exception {
        Path data = newDataDirectory("new-");
        int port = FreePorts.one();

        String password;
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(data, port)) {
            password = server.password();
            Path file = server.passwordFile();
            assertThat(file).isEqualTo(data.resolveSibling("pg.password"));
            assertThat(Files.readString(file)).isEqualTo(password + "\n");
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(password).matches("[A-Za-z0-9_-]{32}");

            assertThat(login(server, password)).as("the right password").isNull();
            assertThat(login(server, "postgres")).as("the password every server had before").isEqualTo(INVALID_PASSWORD);
            assertThat(login(server, password + "x")).isEqualTo(INVALID_PASSWORD);
            assertThat(login(server, null)).as("no password at all").isNotNull();
            assertThat(queryText(server, "SELECT rolpassword FROM pg_authid WHERE rolname = 'postgres'"))
                    .startsWith("SCRAM-SHA-256$");
            assertThat(queryInt(server, "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method <> 'scram-sha-256'"))
                    .as("no rule lets a connection in without the password").isZero();
        }

        try (EmbeddedPostgresServer restarted = EmbeddedPostgresServer.start(data, port)) {
            assertThat(restarted.password()).as("kept across restarts").isEqualTo(password);
            assertThat(login(restarted, password)).isNull();
            assertThat(login(restarted, "postgres")).isEqualTo(INVALID_PASSWORD);
        }
    }

    @Test
    void aDataDirectoryFromWhenEveryLocalConnectionWasTrustedAsksForAPasswordFromItsNextStartOn() throws Exception {
        Path data = newDataDirectory("trusting-");
        int port = FreePorts.one();
        // What the earlier versions made: zonky's initdb defaults, every local connection trusted, no password file.
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
                .setPort(port).setServerConfig("listen_addresses", "127.0.0.1").start()) {
            execute("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "anything",
                    "CREATE TABLE survivor (id int); INSERT INTO survivor VALUES (42)");
        }
        assertThat(EmbeddedPostgresServer.passwordFile(data)).doesNotExist();

        String password;
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(data, port)) {
            password = server.password();
            assertThat(Files.getPosixFilePermissions(server.passwordFile()))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(login(server, "anything")).as("no longer trusted").isEqualTo(INVALID_PASSWORD);
            assertThat(queryInt(server, "SELECT id FROM survivor")).as("its data kept").isEqualTo(42);
            assertThat(queryInt(server, "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'trust'")).isZero();
        }
        try (EmbeddedPostgresServer restarted = EmbeddedPostgresServer.start(data, port)) {
            assertThat(restarted.password()).isEqualTo(password);
            assertThat(login(restarted, "anything")).isEqualTo(INVALID_PASSWORD);
            assertThat(queryInt(restarted, "SELECT id FROM survivor")).isEqualTo(42);
        }
    }

    @Test
    void aServerWhosePasswordFileIsGoneDoesNotStartAndSaysWhatToDo() throws Exception {
        Path data = newDataDirectory("lost-");
        int port = FreePorts.one();
        EmbeddedPostgresServer.start(data, port).close();
        Files.delete(EmbeddedPostgresServer.passwordFile(data));

        assertThatThrownBy(() -> EmbeddedPostgresServer.start(data, port)).isInstanceOf(StartupException.class)
                .hasMessageContaining(EmbeddedPostgresServer.passwordFile(data).toString())
                .hasMessageContaining("--reset");
        assertThat(EmbeddedPostgresServer.passwordFile(data)).as("not made anew: the server would refuse it").doesNotExist();
    }

    private static Path newDataDirectory(String prefix) throws Exception {
        return Files.createTempDirectory(Files.createDirectories(Path.of("target", "embedded")), prefix).resolve("pg");
    }

    private static long postmasterPid(Path data) throws Exception {
        return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    }

    /** A fast shutdown, as the server's own stop would do, in case the test failed before that. */
    private static void stop(ProcessHandle postgres) throws Exception {
        if (postgres.isAlive()) {
            new ProcessBuilder("kill", "-INT", String.valueOf(postgres.pid())).start().waitFor();
            postgres.onExit().get(60, TimeUnit.SECONDS);
        }
    }

    private static String password(Path data) throws Exception {
        return Files.readString(EmbeddedPostgresServer.passwordFile(data)).strip();
    }

    private static void execute(String jdbcUrl, String password, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", password); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static int queryInt(EmbeddedPostgresServer server, String sql) throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String queryText(EmbeddedPostgresServer server, String sql) throws Exception {
        try (Connection c = server.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** What the server answers a login as its superuser with {@code password}: null when it lets it in, else the SQLSTATE. */
    private static String login(EmbeddedPostgresServer server, String password) {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres", password)) {
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }
}
