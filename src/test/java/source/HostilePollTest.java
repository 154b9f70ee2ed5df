package source;

import static org.assertj.core.api.Assertions.assertThat;
import bench.RoutePollWriter;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import opensky.MalformedResponseException;
import opensky.Rejection;
import opensky.StateVector;
import opensky.StateVectorParser;
import opensky.StatesResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the parser and the repository, against a real PostgreSQL, with generated hostile input the way
 * the poll route does: parse; write, or record the whole response as rejected. Every refused vector and
 * response must be in rejected_state with its reason, every valid vector must be in flight_state as sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostilePollTest {

    private static final Logger LOG = LoggerFactory.getLogger(HostilePollTest.class);
    private static final long NOW = 1_714_557_600L;
    private static final long SEED = Long.getLong("hostile.seed", 6L);
    private static final int MIN_HOSTILE = 1_000;

    private TestSource postgres;
    private RoutePollWriter repository;
    private final StateVectorParser parser = new StateVectorParser(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

    @BeforeAll
    void start() throws Exception {
        postgres = TestSource.start("hostile");
        // Nothing the test writes may be deleted as stale: every aircraft it sends must still be there at the end.
        repository = new RoutePollWriter(postgres.database().dataSource(), Integer.MAX_VALUE);
    }

    @AfterAll
    void stop() throws Exception {
        repository.close();
        postgres.close();
    }

    @Test
    void refusesEveryHostilePayloadWithItsReasonAndWritesEveryValidVector() throws Exception {
        LOG.info("Hostile poll seed {} (replay with -Dhostile.seed={})", SEED, SEED);
        HostilePollGenerator generator = new HostilePollGenerator(SEED, NOW);
        List<HostilePollGenerator.Poll> polls = new ArrayList<>();
        polls.add(generator.oversized());
        int hostile = 1;
        while (hostile < MIN_HOSTILE) {
            HostilePollGenerator.Poll poll = generator.next();
            polls.add(poll);
            hostile += (poll.malformed() ? 1 : 0) + poll.refused().size();
        }

        List<StateVector> written = new ArrayList<>();
        List<Expected> refusals = new ArrayList<>();
        long malformed = 0;
        for (HostilePollGenerator.Poll poll : polls) {
            StatesResponse response;
            try {
                response = parser.parse(poll.body());
            } catch (MalformedResponseException e) {
                assertThat(poll.malformed()).as("refused as malformed (%s): %s", e.getMessage(), excerpt(poll.body())).isTrue();
                repository.rejectResponse(e.getMessage(), poll.body());
                refusals.add(new Expected(asStored(new Rejection(e.getMessage(), poll.body())).raw(), ""));
                malformed++;
                continue;
            }
            assertThat(poll.malformed()).as("accepted: %s", excerpt(poll.body())).isFalse();
            assertThat(response.states()).as("accepted from %s", excerpt(poll.body()))
                    .containsExactlyInAnyOrderElementsOf(poll.accepted());
            PollResult result = repository.write(response);
            assertThat(result.inserted()).as("inserted").isEqualTo(poll.accepted().size());
            assertThat(result.rejected()).as("rejected").isEqualTo(poll.refused().size());
            written.addAll(poll.accepted());
            poll.refused().forEach(r -> refusals.add(new Expected(asStored(new Rejection("", r.raw())).raw(), r.reasonStart())));
        }

        LOG.info("{} bodies: {} malformed, {} vectors refused, {} written", polls.size(), malformed,
                refusals.size() - malformed, written.size());
        assertThat(refusals).hasSizeGreaterThanOrEqualTo(MIN_HOSTILE);
        assertThat(repository.malformedResponses()).isEqualTo(malformed);
        assertThat(written).hasSizeGreaterThan(MIN_HOSTILE / 2);
        assertThat(flightStates()).containsExactlyInAnyOrderElementsOf(written);
        assertEachRefusalRecordedWithItsReason(refusals);
    }

    /** One refused vector or body: its raw text as stored, and how its reason must start. */
    private record Expected(String raw, String reasonStart) {
    }

    private void assertEachRefusalRecordedWithItsReason(List<Expected> refusals) throws Exception {
        Map<String, List<String>> reasonsByRaw = new HashMap<>();
        try (Connection c = postgres.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT raw, reason FROM rejected_state")) {
            while (rs.next()) {
                reasonsByRaw.computeIfAbsent(rs.getString(1), raw -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        for (Expected refusal : refusals) {
            List<String> reasons = reasonsByRaw.getOrDefault(refusal.raw(), new ArrayList<>());
            String reason = reasons.stream().filter(r -> r.startsWith(refusal.reasonStart()) && !r.isBlank())
                    .findFirst().orElse(null);
            assertThat(reason).as("a reason starting with '%s' for %s, among %s", refusal.reasonStart(),
                    excerpt(refusal.raw()), reasons).isNotNull();
            reasons.remove(reason);
        }
        assertThat(reasonsByRaw.values().stream().flatMap(List::stream)).as("rejections nobody expected").isEmpty();
    }

    /** What PostgreSQL holds of a rejection: cut to the repository's limit, as UTF-8 (half a surrogate pair is '?'). */
    private static Rejection asStored(Rejection rejection) {
        String raw = rejection.keepingAtMost(1 << 20).raw();
        return new Rejection(rejection.reason(), new String(raw.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    private List<StateVector> flightStates() throws Exception {
        List<StateVector> rows = new ArrayList<>();
        try (Connection c = postgres.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT icao24, callsign, origin_country, extract(epoch FROM time_position)::bigint,
                         extract(epoch FROM last_contact)::bigint, longitude, latitude, baro_altitude, on_ground,
                         velocity, true_track, vertical_rate, sensors, geo_altitude, squawk, spi, position_source,
                         category
                     FROM flight_state""")) {
            while (rs.next()) {
                rows.add(new StateVector(rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4, Long.class),
                        rs.getObject(5, Long.class), rs.getObject(6, Double.class), rs.getObject(7, Double.class),
                        rs.getObject(8, Double.class), rs.getObject(9, Boolean.class), rs.getObject(10, Double.class),
                        rs.getObject(11, Double.class), rs.getObject(12, Double.class), sensors(rs.getArray(13)),
                        rs.getObject(14, Double.class), rs.getString(15), rs.getObject(16, Boolean.class),
                        rs.getObject(17, Integer.class), rs.getObject(18, Integer.class)));
            }
        }
        return rows;
    }

    private static List<Integer> sensors(Array array) throws Exception {
        return array == null ? null : Arrays.asList((Integer[]) array.getArray());
    }

    private static String excerpt(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "... (" + text.length() + " characters)";
    }
}
