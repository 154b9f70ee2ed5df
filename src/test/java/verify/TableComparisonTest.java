package verify;

import static org.assertj.core.api.Assertions.assertThat;
import static verify.FlightStateCopies.ROWS;
import static verify.FlightStateCopies.row;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The comparison on a real PostgreSQL 17 and real DuckDB files written by the warehouse. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TableComparisonTest {

    private Path dir;
    private FlightStateCopies copies;
    private int files;

    @BeforeAll
    void start() throws Exception {
        dir = FlightStateCopies.newDirectory("comparison-");
        copies = FlightStateCopies.start(dir.resolve("postgres"));
    }

    @AfterAll
    void stop() throws Exception {
        copies.close();
    }

    @Test
    void equalCopiesMatchWhateverOrderTheRowsWereWrittenIn() throws Exception {
        List<String> reversed = new ArrayList<>(ROWS);
        Collections.reverse(reversed);

        TableComparison result = compare(ROWS, reversed, 20);

        assertThat(result.matches()).isTrue();
        assertThat(result.sourceRows()).isEqualTo(3);
        assertThat(result.warehouseRows()).isEqualTo(3);
        assertThat(result.warehouseChecksum()).isEqualTo(result.sourceChecksum());
        assertThat(result.differingKeys()).isZero();
        assertThat(result.summary()).isEqualTo(
                "public.flight_state: source 3 rows, warehouse 3 rows, checksums equal — MATCH");
    }

    @Test
    void aRowMissingFromTheWarehouseIsListed() throws Exception {
        TableComparison result = compare(ROWS, ROWS.subList(0, 2), 20);

        assertThat(result.matches()).isFalse();
        assertThat(result.missing()).isEqualTo(new TableComparison.Keys(1, List.of("3c4b5a")));
        assertThat(result.extra().count()).isZero();
        assertThat(result.different().count()).isZero();
        assertThat(result.summary()).isEqualTo("public.flight_state: source 3 rows, warehouse 2 rows, checksums differ"
                + " — 1 key differs: missing in warehouse: 3c4b5a");
    }

    @Test
    void aRowOnlyInTheWarehouseIsListed() throws Exception {
        List<String> withExtra = new ArrayList<>(ROWS);
        withExtra.add(row("ffff01"));

        TableComparison result = compare(ROWS, withExtra, 20);

        assertThat(result.extra()).isEqualTo(new TableComparison.Keys(1, List.of("ffff01")));
        assertThat(result.missing().count()).isZero();
        assertThat(result.summary()).endsWith("— 1 key differs: extra in warehouse: ffff01");
    }

    @Test
    void aTimestampOneMicrosecondLaterIsADifference() throws Exception {
        TableComparison result = compare(ROWS, ROWS, 20,
                "UPDATE flight_state SET last_contact = last_contact + INTERVAL 1 MICROSECOND WHERE icao24 = 'abc123'");

        assertThat(result.different()).isEqualTo(new TableComparison.Keys(1, List.of("abc123")));
        assertThat(result.sourceRows()).isEqualTo(result.warehouseRows());
        assertThat(result.summary()).endsWith("checksums differ — 1 key differs: different: abc123");
    }

    @Test
    void aDoubleOneStepApartIsADifference() throws Exception {
        TableComparison result = compare(ROWS, ROWS, 20,
                "UPDATE flight_state SET geo_altitude = nextafter(geo_altitude, 1e308) WHERE icao24 = 'abc123'");

        assertThat(result.different()).isEqualTo(new TableComparison.Keys(1, List.of("abc123")));
    }

    @Test
    void anEmptyArrayIsNotNull() throws Exception {
        TableComparison result = compare(ROWS, ROWS, 20, "UPDATE flight_state SET sensors = NULL WHERE icao24 = 'c0ffee'");

        assertThat(result.different()).isEqualTo(new TableComparison.Keys(1, List.of("c0ffee")));
    }

    @Test
    void listsAtMostMaxKeysTakingEachKindInTurnAndCountsThemAll() throws Exception {
        List<String> source = IntStream.range(0, 30).mapToObj(i -> row(String.format("a%05d", i))).toList();
        List<String> warehouse = new ArrayList<>(source.subList(25, 30));
        warehouse.add(row("b00000"));

        TableComparison result = compare(source, warehouse, 5,
                "UPDATE flight_state SET callsign = 'CHANGED ' WHERE icao24 = 'a00029'");

        assertThat(result.missing()).isEqualTo(new TableComparison.Keys(25, List.of("a00000", "a00001", "a00002")));
        assertThat(result.extra()).isEqualTo(new TableComparison.Keys(1, List.of("b00000")));
        assertThat(result.different()).isEqualTo(new TableComparison.Keys(1, List.of("a00029")));
        assertThat(result.summary()).endsWith("— 27 keys differ: missing in warehouse: a00000, a00001, a00002"
                + " and 22 more; extra in warehouse: b00000; different: a00029");
    }

    private TableComparison compare(List<String> sourceRows, List<String> warehouseRows, int maxKeys,
                                    String... warehouseSql) throws Exception {
        copies.replaceSource(sourceRows);
        Path file = dir.resolve("warehouse-" + files++ + ".duckdb");
        copies.writeWarehouse(file, warehouseRows, warehouseSql);
        Properties readOnly = new Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        try (Connection source = copies.sourceConnection();
             Connection warehouse = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), readOnly)) {
            return TableComparison.compare(copies.schema(),
                    new TableComparison.Location(source, List.of("public", "flight_state")),
                    new TableComparison.Location(warehouse, List.of("flight_state")), maxKeys);
        }
    }
}
