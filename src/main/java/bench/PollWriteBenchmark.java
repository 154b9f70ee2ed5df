package bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import javax.sql.DataSource;
import opensky.StateVector;
import opensky.StateVectorParser;
import opensky.StatesResponse;
import source.PollResult;

/**
 * How long one poll of many aircraft takes to parse and to write as the poll route does ({@link RoutePollWriter}:
 * its camel-sql statement), into an empty flight_state (every aircraft inserted), then the next poll
 * (every aircraft moved: all updated), then that same poll again (nothing changed: no row written).
 * Each run starts from an empty table; a first run, not counted, warms the JVM and PostgreSQL up.
 */
public final class PollWriteBenchmark {

    /** Medians over the runs, in milliseconds, and the runs' slowest. */
    public record Result(int aircraft, int runs, int bodyChars, Phase parse, Phase insert, Phase update, Phase unchanged) {
    }

    public record Phase(double medianMs, double maxMs) {

        static Phase of(long[] nanos) {
            Percentiles p = Percentiles.of(nanos);
            return new Phase(p.p50() / 1e6, p.max() / 1e6);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;

    public PollWriteBenchmark(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Result run(int aircraft, int runs, long seed) throws SQLException {
        long time = Instant.now().getEpochSecond();
        StatesResponse first = SyntheticPoll.of(aircraft, time, new Random(seed));
        StatesResponse moved = SyntheticPoll.next(first);
        String body = body(first);
        StateVectorParser parser = new StateVectorParser(Clock.fixed(Instant.ofEpochSecond(time), ZoneOffset.UTC));
        // Nothing is deleted as stale: the delete still runs, as in every poll, and finds nothing.
        try (RoutePollWriter repository = new RoutePollWriter(dataSource, 3_600)) {
            long[] parse = new long[runs];
            long[] insert = new long[runs];
            long[] update = new long[runs];
            long[] unchanged = new long[runs];
            for (int run = -1; run < runs; run++) {
                empty();
                long started = System.nanoTime();
                StatesResponse parsed = parser.parse(body);
                long parsedAt = System.nanoTime();
                expect(parsed.states().size() == aircraft && parsed.rejections().isEmpty(), "every vector parsed", parsed.rejections());
                PollResult inserted = repository.write(first);
                long insertedAt = System.nanoTime();
                PollResult updated = repository.write(moved);
                long updatedAt = System.nanoTime();
                PollResult same = repository.write(moved);
                long sameAt = System.nanoTime();
                expect(inserted.inserted() == aircraft, "every aircraft inserted", inserted);
                expect(updated.updated() == aircraft, "every aircraft updated", updated);
                expect(same.unchanged() == aircraft, "no aircraft written again", same);
                if (run >= 0) {
                    parse[run] = parsedAt - started;
                    insert[run] = insertedAt - parsedAt;
                    update[run] = updatedAt - insertedAt;
                    unchanged[run] = sameAt - updatedAt;
                }
            }
            return new Result(aircraft, runs, body.length(), Phase.of(parse), Phase.of(insert), Phase.of(update),
                    Phase.of(unchanged));
        }
    }

    private void empty() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE flight_state");
        }
    }

    /** The poll as OpenSky would send it (extended=1). */
    private static String body(StatesResponse poll) {
        ObjectNode root = JSON.createObjectNode().put("time", poll.time());
        ArrayNode states = root.putArray("states");
        for (StateVector v : poll.states()) {
            states.addArray().add(v.icao24()).add(v.callsign()).add(v.originCountry()).add(v.timePosition())
                    .add(v.lastContact()).add(v.longitude()).add(v.latitude()).add(v.baroAltitude()).add(v.onGround())
                    .add(v.velocity()).add(v.trueTrack()).add(v.verticalRate()).addNull().add(v.geoAltitude())
                    .add(v.squawk()).add(v.spi()).add(v.positionSource()).add(v.category());
        }
        return root.toString();
    }

    private static void expect(boolean holds, String what, Object got) {
        if (!holds) {
            throw new IllegalStateException("Poll write benchmark: expected " + what + ", got " + got);
        }
    }
}
