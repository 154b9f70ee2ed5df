package cli;

import static org.assertj.core.api.Assertions.assertThat;

import capture.PositionTable;
import e2e.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.camel.Route;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import settings.PipelineSettings;
import source.TestSource;

class RunCommandTest {

    @TempDir
    Path userRoutes;

    @Test
    void theRoutesFolderIsLoadedBesideTheRoutesApplicationPropertiesNames() throws Exception {
        Files.writeString(userRoutes.resolve("mine.yaml"), """
                - route:
                    id: mine
                    from:
                      uri: "timer:mine?repeatCount=1"
                      steps:
                        - log: "{{flightcdc.kafka.topic-prefix}}"
                """);
        Main main = new Main();
        // Loaded, not started: no broker to read from.
        main.addOverrideProperty("flightcdc.squawks.enabled", "false");
        main.addOverrideProperty("flightcdc.kafka.bootstrap-servers", "127.0.0.1:9");
        main.addMainListener(RunCommand.alsoLoading("file:" + userRoutes.toAbsolutePath() + "/*.yaml"));
        try {
            main.start();
            assertThat(main.getCamelContext().getRoutes()).extracting(Route::getRouteId)
                    .containsExactlyInAnyOrder("emergency-squawks", "mine");
        } finally {
            main.stop();
        }
    }

    @TempDir
    Path dataDir;

    /**
     * The warehouse is opened after the embedded PostgreSQL and Kafka have started: its stage failing must stop them,
     * or the PostgreSQL server, a process of its own, would outlive the refused start.
     */
    @Test
    void aStartRefusedByALaterStageStopsTheServicesTheEarlierOnesStarted() throws Exception {
        Files.writeString(dataDir.resolve("a-file"), "");
        int postgresPort = FreePorts.one();
        int kafkaPort = FreePorts.pair();

        CommandRun run = CommandRun.of("run", "--no-poll", "--data-dir", dataDir.toString(),
                "--routes", dataDir.resolve("no-routes").toString(),
                "-D", "flightcdc.squawks.enabled=false",
                "-D", "flightcdc.source.embedded-port=" + postgresPort,
                "-D", "flightcdc.kafka.embedded-port=" + kafkaPort,
                "-D", "flightcdc.warehouse.duckdb-path=" + dataDir.resolve("a-file/warehouse.duckdb"));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("Cannot create the folder of the DuckDB warehouse")
                .contains("Fix: give flightcdc.warehouse.duckdb-path a folder this user can create and write");
        assertThat(Files.exists(dataDir.resolve("postgres/postmaster.pid"))).as("PostgreSQL still running").isFalse();
        assertThat(canListenOn(postgresPort)).as("PostgreSQL's port is free").isTrue();
        assertThat(canListenOn(kafkaPort)).as("Kafka's port is free").isTrue();
    }

    /** A standby's --reset would delete what the leader is writing: refused before anything is touched. */
    @Test
    void resetIsRefusedWithFailoverOn() throws Exception {
        Path duckdb = Files.writeString(dataDir.resolve("warehouse.duckdb"), "the leader's");

        CommandRun run = CommandRun.of("run", "--reset", "--data-dir", dataDir.toString(),
                "--postgres-url", "jdbc:postgresql://127.0.0.1:1/flights", "--kafka", "127.0.0.1:1",
                "-D", "flightcdc.failover.enabled=true", "-D", "flightcdc.capture.position-store=source");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("run --reset deletes the warehouse and the capture's position, which every instance"
                + " shares").contains("Fix: stop every instance");
        assertThat(duckdb).hasContent("the leader's");
    }

    /** Vert.x would only warn of a port it cannot bind, and the pipeline run on with nobody able to watch it. */
    @Test
    void aPortTheHttpServerCannotHaveStopsTheStartBeforeAnythingRuns() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CommandRun run = CommandRun.of("run", "--no-poll", "--data-dir", dataDir.toString(),
                    "-D", "flightcdc.http.port=" + taken.getLocalPort());

            assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
            assertThat(run.err()).contains("Cannot serve the dashboard, health and metrics at http://127.0.0.1:"
                    + taken.getLocalPort()).contains("Fix: stop what uses the port");
            assertThat(dataDir.resolve("postgres")).as("nothing started").doesNotExist();
        }
    }

    private static boolean canListenOn(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
    /** Run apart, each process resets what its own stage keeps: the loader its warehouse, the capture its position. */
    @Test
    void resetDeletesOnlyWhatTheStagesThisProcessRunsKeep() throws Exception {
        Path offsets = Files.writeString(Files.createDirectories(dataDir).resolve("debezium-offsets.dat"), "position");
        Path warehouse = Files.writeString(dataDir.resolve("warehouse.duckdb"), "warehouse");
        Map<String, String> loader = shippedWith("flightcdc.capture.enabled", "false", "flightcdc.opensky.poll-enabled", "false",
                "flightcdc.source.jdbc-url", "jdbc:postgresql://db.example:5432/flights",
                "flightcdc.kafka.bootstrap-servers", "kafka.example:9092");

        RunCommand.resetData(PipelineSettings.from(k -> Optional.ofNullable(loader.get(k))));

        assertThat(warehouse).doesNotExist();
        assertThat(offsets).as("the capture's, in the process that captures").exists();

        Files.writeString(warehouse, "warehouse");
        Map<String, String> capture = shippedWith("flightcdc.load.enabled", "false");
        RunCommand.resetData(PipelineSettings.from(k -> Optional.ofNullable(capture.get(k))));

        assertThat(offsets).doesNotExist();
        assertThat(warehouse).as("the loader's, in the process that loads").exists();
    }

    private Map<String, String> shippedWith(String... keyValues) throws IOException {
        Properties shipped = new Properties();
        try (InputStream in = RunCommandTest.class.getResourceAsStream("/application.properties")) {
            shipped.load(in);
        }
        Map<String, String> values = new HashMap<>();
        shipped.stringPropertyNames().forEach(k -> values.put(k, shipped.getProperty(k)));
        values.put("flightcdc.data-dir", dataDir.toString());
        values.put("flightcdc.warehouse.duckdb-path", dataDir.resolve("warehouse.duckdb").toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return values;
    }

    /** --reset forgets the position kept in an external source, for that slot only: the warehouse it matched is gone. */
    @Test
    void resetForgetsThePositionKeptInAnExternalSource() throws Exception {
        try (TestSource source = TestSource.start("reset-position")) {
            PositionTable ours = new PositionTable(source.database().dataSource(), "flightcdc", "flightcdc");
            PositionTable another = new PositionTable(source.database().dataSource(), "flightcdc", "another");
            ByteBuffer key = ByteBuffer.wrap("key".getBytes(StandardCharsets.UTF_8));
            ours.write(Map.of(key, ByteBuffer.wrap("{\"lsn_commit\":1}".getBytes(StandardCharsets.UTF_8))));
            another.write(Map.of(key, ByteBuffer.wrap("{\"lsn_commit\":2}".getBytes(StandardCharsets.UTF_8))));
            Map<String, String> values = shippedWith("flightcdc.source.jdbc-url", source.jdbcUrl(),
                    "flightcdc.source.password", source.password(), "flightcdc.capture.position-store", "source");

            RunCommand.forgetPositionInExternalSource(PipelineSettings.from(k -> Optional.ofNullable(values.get(k))));

            assertThat(ours.read()).isEmpty();
            assertThat(another.read()).hasSize(1);
        }
    }
}
