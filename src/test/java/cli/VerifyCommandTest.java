package cli;

import static org.assertj.core.api.Assertions.assertThat;
import static verify.FlightStateCopies.ROWS;
import static verify.FlightStateCopies.row;

import e2e.FreePorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import verify.FlightStateCopies;

/** {@code flight-cdc verify} as people run it: its output and exit codes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyCommandTest {

    private Path dir;
    private FlightStateCopies copies;

    @BeforeAll
    void start() throws Exception {
        dir = FlightStateCopies.newDirectory("command-");
        copies = FlightStateCopies.start(dir.resolve("postgres"));
    }

    @AfterAll
    void stop() throws Exception {
        copies.close();
    }

    @Test
    void equalCopiesExitZero() throws Exception {
        copies.replaceSource(ROWS);
        Path warehouse = dir.resolve("equal.duckdb");
        copies.writeWarehouse(warehouse, ROWS);

        CommandRun result = verify(theirPostgres(), "--duckdb", warehouse.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(
                "public.flight_state: source 3 rows, warehouse 3 rows, checksums equal — MATCH\n");
        assertThat(result.err()).isEmpty();
    }

    /** People verify with the options they ran with: the Kafka one means nothing to verify, but is not refused. */
    @Test
    void theLocationOptionsOfRunAreAcceptedAsTheyAre() throws Exception {
        copies.replaceSource(ROWS);
        Path warehouse = dir.resolve("same-options.duckdb");
        copies.writeWarehouse(warehouse, ROWS);

        CommandRun result = verify(theirPostgres(), "--duckdb", warehouse.toString(), "--kafka", "127.0.0.1:9");

        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
    }

    @Test
    void missingExtraAndChangedRowsExitOneAndAreListed() throws Exception {
        copies.replaceSource(ROWS);
        List<String> warehouseRows = new ArrayList<>(ROWS.subList(0, 2));
        warehouseRows.add(row("ffff01"));
        Path warehouse = dir.resolve("different.duckdb");
        copies.writeWarehouse(warehouse, warehouseRows,
                "UPDATE flight_state SET time_position = time_position - INTERVAL 1 MICROSECOND WHERE icao24 = 'c0ffee'");

        CommandRun result = verify(theirPostgres(), "--duckdb", warehouse.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEqualTo("public.flight_state: source 3 rows, warehouse 3 rows, checksums differ"
                + " — 3 keys differ: missing in warehouse: 3c4b5a; extra in warehouse: ffff01; different: c0ffee\n");
    }

    @Test
    void startsTheEmbeddedPostgresOfTheDataDirAndStopsItAfter() throws Exception {
        Path dataDir = FlightStateCopies.newDirectory("embedded-");
        try (FlightStateCopies pipelineRun = FlightStateCopies.start(dataDir.resolve("postgres"))) {
            pipelineRun.replaceSource(ROWS);
            pipelineRun.writeWarehouse(dataDir.resolve("warehouse.duckdb"), ROWS);
        }

        CommandRun result = verify("--data-dir", dataDir.toString(),
                "-D", "flightcdc.source.embedded-port=" + FreePorts.one());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).endsWith("checksums equal — MATCH\n");
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
    }

    @Test
    void aDataDirWithoutAPipelineRunExitsTwoNamingTheFix() throws Exception {
        Path empty = FlightStateCopies.newDirectory("empty-");

        CommandRun result = verify("--data-dir", empty.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("No embedded PostgreSQL data in " + empty.resolve("postgres")
                + ": run the pipeline first with this --data-dir, or pass --postgres-url\n");
    }

    @Test
    void aTableMissingFromTheSourceExitsTwoNamingTheSetting() throws Exception {
        Path warehouse = dir.resolve("any.duckdb");
        copies.writeWarehouse(warehouse, ROWS);

        CommandRun result = verify(theirPostgres(), "--duckdb", warehouse.toString(),
                "-D", "flightcdc.source.tables=public.no_such_table");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("public.no_such_table").contains("flightcdc.source.tables")
                .doesNotContain("Exception").hasLineCount(1);
    }

    @Test
    void aTableTheWarehouseNeverLoadedExitsTwoNamingTheSetting() throws Exception {
        Path warehouse = dir.resolve("flight-state-only.duckdb");
        copies.writeWarehouse(warehouse, ROWS);

        CommandRun result = verify(theirPostgres(), "--duckdb", warehouse.toString(),
                "-D", "flightcdc.source.tables=public.rejected_state");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("The warehouse " + warehouse + " has no table rejected_state for"
                + " public.rejected_state: run the pipeline with public.rejected_state in flightcdc.source.tables first\n");
    }

    /** The options that name a server of their own, as a user gives them (the password by -D, as FLIGHTCDC_SOURCE_PASSWORD would). */
    private String[] theirPostgres() {
        return new String[] {"--postgres-url", copies.jdbcUrl(), "-D", "flightcdc.source.password=" + copies.password()};
    }

    private static CommandRun verify(String[] server, String... args) {
        return verify(Stream.concat(Arrays.stream(server), Arrays.stream(args)).toArray(String[]::new));
    }

    private static CommandRun verify(String... args) {
        return CommandRun.of("verify", args);
    }
}
