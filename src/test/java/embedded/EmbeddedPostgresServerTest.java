package embedded;

import static org.assertj.core.api.Assertions.assertThat;

import e2e.ChildJvm;
import e2e.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Starting the embedded PostgreSQL where an earlier run ended badly. */
class EmbeddedPostgresServerTest {

    @Test
    void aServerLeftRunningByAKilledRunIsStoppedAndItsDataServedAgain() throws Exception {
        Path data = newDataDirectory("orphan-");
        int port = FreePorts.one();
        ProcessHandle orphan;
        try (ChildJvm run = ChildJvm.start(Path.of(data + ".log"), List.of(), PostgresUntilKilled.class.getName(),
                List.of(data.toString(), String.valueOf(port)))) {
            String jdbcUrl = run.awaitLine(Pattern.compile("^READY "), Duration.ofSeconds(60)).substring("READY ".length());
            execute(jdbcUrl, "CREATE TABLE survivor (id int); INSERT INTO survivor VALUES (42)");
            orphan = ProcessHandle.of(postmasterPid(data)).orElseThrow();
            run.kill();
        }
        try {
            assertThat(orphan.isAlive()).as("postgres outlives the killed JVM").isTrue();

            try (EmbeddedPostgresServer restarted = EmbeddedPostgresServer.start(data, port)) {
                assertThat(orphan.isAlive()).isFalse();
                assertThat(postmasterPid(data)).isNotEqualTo(orphan.pid());
                assertThat(queryInt(restarted.jdbcUrl(), "SELECT id FROM survivor")).isEqualTo(42);
            }
        } finally {
            stop(orphan);
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
                assertThat(queryInt(restarted.jdbcUrl(), "SELECT 1")).isEqualTo(1);
                assertThat(unrelated.isAlive()).as("the other process is left alone").isTrue();
            }
        } finally {
            unrelated.destroyForcibly().waitFor();
        }
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

    private static void execute(String jdbcUrl, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres"); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static int queryInt(String jdbcUrl, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
