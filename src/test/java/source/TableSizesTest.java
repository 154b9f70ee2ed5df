package source;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import warehouse.TableId;

/** The snapshot's expected total, on a real PostgreSQL: analysed or not, plain or partitioned. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TableSizesTest {

    private TestSource postgres;
    private TableSizes sizes;

    @BeforeAll
    void start() throws Exception {
        postgres = TestSource.start("table-sizes");
        sizes = new TableSizes(postgres.database().dataSource());
        sql("""
                CREATE TABLE plain (id int PRIMARY KEY);
                INSERT INTO plain SELECT g FROM generate_series(1, 1000) g;
                CREATE TABLE reading (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
                CREATE TABLE reading_eu PARTITION OF reading FOR VALUES IN ('eu');
                CREATE TABLE reading_rest PARTITION OF reading DEFAULT PARTITION BY RANGE (id);
                CREATE TABLE reading_rest_low PARTITION OF reading_rest FOR VALUES FROM (0) TO (1000);
                CREATE TABLE reading_rest_high PARTITION OF reading_rest FOR VALUES FROM (1000) TO (MAXVALUE);
                INSERT INTO reading SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END FROM generate_series(1, 3000) g;
                CREATE TABLE empty (id int PRIMARY KEY)""");
    }

    @AfterAll
    void stop() throws Exception {
        postgres.close();
    }

    @Test
    void aTableNeverAnalysedIsCounted() throws Exception {
        assertThat(sizes.estimateRows(List.of(table("plain")))).isEqualTo(1000);
    }

    @Test
    void aPartitionedTableIsTheSumOfItsPartitionsAtAnyDepthAnalysedOrNot() throws Exception {
        sql("ANALYZE reading_eu");

        assertThat(sizes.estimateRows(List.of(table("reading")))).isEqualTo(3000);
        assertThat(sizes.estimateRows(List.of(table("reading"), table("plain"), table("empty")))).isEqualTo(4000);
    }

    private static TableId table(String name) {
        return new TableId("public", name);
    }

    private void sql(String statements) throws Exception {
        try (Connection c = postgres.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }
}
