package bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import source.SourceDatabase;
import source.TestSource;

/** The batch groups a transaction's changes by kind: each row must still see its own changes in order. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreparedFlightStateBatchTest {

    private TestSource postgres;
    private SourceDatabase source;

    @BeforeAll
    void start() throws Exception {
        postgres = TestSource.start("batch");
        source = postgres.database();
    }

    @AfterAll
    void stop() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void empty() throws Exception {
        try (Connection c = source.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE flight_state");
        }
    }

    @Test
    void aTransactionMayInsertUpdateAndDeleteTheSameRow() throws Exception {
        transaction(batch -> {
            batch.insert("a", "A0", 1.5, 2.5, 100, true, new int[] {1, 2}, "7000");
            batch.insert("b", "B0", 0, 0, 0, false, new int[] {}, "1234");
            batch.update("a", "A1", 110, 3.5);
            batch.delete("b");
            batch.update("a", "A2", 120, 4.5);
            batch.insert("c", "C0", 0, 0, 0, false, new int[] {3}, "4321");
        });

        assertThat(rows()).containsExactly("a A2 120.0 4.5 1.5 true {1,2} 7000", "c C0 0.0 0.0 0.0 false {3} 4321");
    }

    @Test
    void changesAfterAKeyUpdateSeeTheNewKey() throws Exception {
        transaction(batch -> batch.insert("a", "A0", 0, 0, 0, false, new int[] {}, "7000"));
        transaction(batch -> {
            batch.update("a", "A1", 10, 1);
            batch.changeKey("a", "b", "B0");
            batch.update("b", "B1", 20, 2);
            batch.changeKey("b", "c", "C0");
            batch.delete("c");
            batch.insert("d", "D0", 0, 0, 0, false, new int[] {}, "7000");
            batch.changeKey("d", "e", "E0");
        });

        assertThat(rows()).containsExactly("e E0 0.0 0.0 0.0 false {} 7000");
    }

    private interface Changes {
        void addTo(PreparedFlightStateBatch batch) throws SQLException;
    }

    private void transaction(Changes changes) throws SQLException {
        try (Connection c = source.dataSource().getConnection(); PreparedFlightStateBatch batch = new PreparedFlightStateBatch(c)) {
            c.setAutoCommit(false);
            changes.addTo(batch);
            batch.execute();
            c.commit();
        }
    }

    private List<String> rows() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = source.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT icao24, callsign, velocity, latitude, longitude, on_ground, sensors,"
                     + " squawk FROM flight_state ORDER BY icao24")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getDouble(3) + " " + rs.getDouble(4) + " "
                        + rs.getDouble(5) + " " + rs.getBoolean(6) + " " + rs.getString(7) + " " + rs.getString(8));
            }
        }
        return rows;
    }
}
