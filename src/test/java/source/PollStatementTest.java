package source;

import static org.assertj.core.api.Assertions.assertThat;
import bench.RoutePollWriter;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import opensky.Rejection;
import opensky.StateVector;
import opensky.StatesResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The poll route's SQL (poll/write-poll.sql) against a real PostgreSQL 17: what changes, what does not, what is deleted. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PollStatementTest {

    private static final long T0 = 1_714_557_600L;

    private TestSource postgres;
    private SourceDatabase source;
    private RoutePollWriter repository;

    @BeforeAll
    void start() throws Exception {
        postgres = TestSource.start("repository");
        source = postgres.database();
        repository = new RoutePollWriter(source.dataSource(), 60);
    }

    @AfterAll
    void stop() throws Exception {
        repository.close();
        postgres.close();
    }

    @BeforeEach
    void empty() throws Exception {
        sql("TRUNCATE flight_state, rejected_state");
    }

    @Test
    void insertsNewAircraftAndUpdatesOnlyThoseThatChanged() throws Exception {
        PollResult first = repository.write(poll(T0, vector("aaaaaa", T0, 100.0), vector("bbbbbb", T0, 200.0)));
        PollResult same = repository.write(poll(T0 + 5, vector("aaaaaa", T0, 100.0), vector("bbbbbb", T0, 200.0)));
        PollResult moved = repository.write(poll(T0 + 10, vector("aaaaaa", T0 + 10, 110.0), vector("bbbbbb", T0, 200.0)));

        assertThat(first).extracting(PollResult::inserted, PollResult::updated).containsExactly(2L, 0L);
        assertThat(same).extracting(PollResult::inserted, PollResult::updated, PollResult::unchanged).containsExactly(0L, 0L, 2L);
        assertThat(moved).extracting(PollResult::inserted, PollResult::updated, PollResult::unchanged).containsExactly(0L, 1L, 1L);
        assertThat(rows("SELECT icao24, velocity, extract(epoch FROM last_contact)::bigint, sensors::text FROM flight_state ORDER BY 1"))
                .containsExactly("aaaaaa|110|" + (T0 + 10) + "|{1,2}", "bbbbbb|200|" + T0 + "|{1,2}");
    }

    @Test
    void anUnchangedAircraftsRowIsNotEvenLocked() throws Exception {
        repository.write(poll(T0, vector("aaaaaa", T0, 100.0), vector("bbbbbb", T0, 200.0)));

        repository.write(poll(T0 + 5, vector("aaaaaa", T0, 100.0), vector("bbbbbb", T0 + 5, 210.0)));

        // ON CONFLICT marks a row it locks (and the version it writes) with its transaction in xmax.
        assertThat(rows("SELECT icao24 FROM flight_state WHERE xmax <> 0")).containsExactly("bbbbbb");
    }

    @Test
    void deletesAircraftUnseenForLongerThanTheStaleLimit() throws Exception {
        repository.write(poll(T0, vector("aaaaaa", T0, 100.0), vector("bbbbbb", T0, 200.0)));

        PollResult later = repository.write(poll(T0 + 61, vector("aaaaaa", T0 + 61, 100.0)));

        assertThat(later.deleted()).isEqualTo(1);
        assertThat(rows("SELECT icao24 FROM flight_state")).containsExactly("aaaaaa");
    }

    @Test
    void aVectorAlreadyStaleIsNotWrittenOnlyToBeDeleted() throws Exception {
        repository.write(poll(T0, vector("aaaaaa", T0, 100.0), vector("bbbbbb", T0, 200.0)));

        // bbbbbb's and cccccc's vectors are 61 s old at T0 + 61: bbbbbb's row goes, and cccccc never gets one.
        PollResult later = repository.write(poll(T0 + 61, vector("aaaaaa", T0 + 61, 110.0), vector("bbbbbb", T0, 210.0),
                vector("cccccc", T0, 1.0)));

        assertThat(later).extracting(PollResult::inserted, PollResult::updated, PollResult::deleted)
                .containsExactly(0L, 1L, 1L);
        assertThat(rows("SELECT icao24, velocity FROM flight_state")).containsExactly("aaaaaa|110");
    }

    @Test
    void theLastVectorOfAnAircraftListedTwiceWins() throws Exception {
        repository.write(poll(T0, vector("aaaaaa", T0, 100.0), vector("aaaaaa", T0, 150.0)));

        assertThat(rows("SELECT velocity FROM flight_state")).containsExactly("150");
    }

    @Test
    void keepsRefusedVectorsAndResponsesWithTheirReason() throws Exception {
        repository.write(new StatesResponse(T0, List.of(vector("aaaaaa", T0, 1.0)),
                List.of(new Rejection("icao24 must be 6 lower-case hex digits, got \"XYZ\"", "[\"XYZ\"]"))));
        repository.rejectResponse("response is not JSON", "<html>x".repeat(300_000));

        assertThat(rows("SELECT reason, length(raw) FROM rejected_state ORDER BY id")).containsExactly(
                "icao24 must be 6 lower-case hex digits, got \"XYZ\"|7",
                "response is not JSON (2100000 characters received, first 1048576 kept)|1048576");
    }

    @Test
    void theNextPollTellsHowManyResponsesWereRefusedSinceThePreviousOne() throws Exception {
        long before = repository.malformedResponses();
        repository.rejectResponse("response is not JSON", "<html>");
        repository.rejectResponse("response has no integer 'time'", "{}");

        PollResult next = repository.write(poll(T0, vector("aaaaaa", T0, 1.0)));
        PollResult after = repository.write(poll(T0, vector("aaaaaa", T0, 1.0)));

        assertThat(repository.malformedResponses()).isEqualTo(before + 2);
        assertThat(next.malformedResponses()).isEqualTo(2);
        assertThat(next).hasToString("1 aircraft: 1 inserted, 0 updated, 0 unchanged, 0 deleted as stale, 0 rejected;"
                + " 2 malformed response(s) refused since the previous poll");
        assertThat(after.malformedResponses()).isZero();
        assertThat(after.toString()).endsWith("0 rejected");
    }

    @Test
    void storesARefusedBodyHoldingNulCharacters() throws Exception {
        repository.rejectResponse("response is not JSON", "\u0000\u0001binary");

        assertThat(rows("SELECT raw FROM rejected_state")).containsExactly("\uFFFD\u0001binary");
    }

    private static StatesResponse poll(long time, StateVector... vectors) {
        return new StatesResponse(time, List.of(vectors), List.of());
    }

    private static StateVector vector(String icao24, long lastContact, double velocity) {
        return new StateVector(icao24, "TEST    ", "Nowhere", lastContact, lastContact, 1.0, 2.0, 1000.0, false,
                velocity, 90.0, 0.0, List.of(1, 2), 1010.0, "1000", false, 0, null);
    }

    private void sql(String statement) throws Exception {
        try (Connection c = source.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private List<String> rows(String query) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = source.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    cells.add(rs.getString(i));
                }
                rows.add(String.join("|", cells));
            }
        }
        return rows;
    }
}
