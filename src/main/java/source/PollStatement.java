package source;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import opensky.Rejection;
import opensky.StateVector;
import opensky.StatesResponse;

/**
 * What the poll route's SQL is given and gives back. One poll becomes the named parameters of the statement
 * that writes it ({@value #WRITE_POLL}): a column array per state vector field, the time before which an aircraft
 * is stale, and the refused vectors; the statement's counts become the poll's {@link PollResult}. A response
 * refused whole becomes the parameters of its {@code rejected_state} row, and is counted, so that the next
 * poll's result tells how many were refused since the one before.
 */
public final class PollStatement {

    /** The statement that writes one poll, a single statement so that the poll is written in one transaction. */
    public static final String WRITE_POLL = "classpath:poll/write-poll.sql";

    /** What is kept of one refused vector or body: enough to see what was wrong, not a hostile payload whole. */
    private static final int MAX_RAW_CHARS = 1 << 20;

    private final int staleAfterSeconds;
    private final BiConsumer<PollResult, List<String>> observer;
    private final AtomicLong malformedResponses = new AtomicLong();
    /** Of {@link #malformedResponses}, how many the last poll's result already told; polls run one at a time. */
    private long malformedResponsesReported;

    public PollStatement(int staleAfterSeconds) {
        this(staleAfterSeconds, (result, rejectionReasons) -> { });
    }

    /** @param observer told each poll's result with the reasons of the vectors it refused (the metrics) */
    public PollStatement(int staleAfterSeconds, BiConsumer<PollResult, List<String>> observer) {
        this.staleAfterSeconds = staleAfterSeconds;
        this.observer = observer;
    }

    /** The parameters of {@value #WRITE_POLL} for {@code response}. */
    public Map<String, Object> parameters(StatesResponse response) {
        // The parser keeps one vector per aircraft; one statement may not update a row twice, so should a
        // caller still hand over an aircraft twice, the last one wins.
        Collection<StateVector> v = lastPerAircraft(response.states());
        Map<String, Object> p = new HashMap<>();
        p.put("icao24", column(v, String[]::new, StateVector::icao24));
        p.put("callsign", column(v, String[]::new, StateVector::callsign));
        p.put("originCountry", column(v, String[]::new, StateVector::originCountry));
        p.put("timePosition", column(v, Long[]::new, StateVector::timePosition));
        p.put("lastContact", column(v, Long[]::new, StateVector::lastContact));
        p.put("longitude", column(v, Double[]::new, StateVector::longitude));
        p.put("latitude", column(v, Double[]::new, StateVector::latitude));
        p.put("baroAltitude", column(v, Double[]::new, StateVector::baroAltitude));
        p.put("onGround", column(v, Boolean[]::new, StateVector::onGround));
        p.put("velocity", column(v, Double[]::new, StateVector::velocity));
        p.put("trueTrack", column(v, Double[]::new, StateVector::trueTrack));
        p.put("verticalRate", column(v, Double[]::new, StateVector::verticalRate));
        // A column of integer arrays travels as text literals ({1,2}): unnest would flatten a 2-D array.
        p.put("sensors", column(v, String[]::new, s -> s.sensors() == null ? null
                : s.sensors().stream().map(String::valueOf).reduce((a, b) -> a + "," + b)
                        .map(list -> "{" + list + "}").orElse("{}")));
        p.put("geoAltitude", column(v, Double[]::new, StateVector::geoAltitude));
        p.put("squawk", column(v, String[]::new, StateVector::squawk));
        p.put("spi", column(v, Boolean[]::new, StateVector::spi));
        p.put("positionSource", column(v, Short[]::new,
                s -> s.positionSource() == null ? null : s.positionSource().shortValue()));
        p.put("category", column(v, Short[]::new, s -> s.category() == null ? null : s.category().shortValue()));
        p.put("staleBefore", OffsetDateTime.ofInstant(Instant.ofEpochSecond(response.time() - staleAfterSeconds),
                ZoneOffset.UTC));
        List<Rejection> refused = response.rejections().stream().map(r -> r.keepingAtMost(MAX_RAW_CHARS)).toList();
        p.put("refusedReason", column(refused, String[]::new, Rejection::reason));
        p.put("refusedRaw", column(refused, String[]::new, Rejection::raw));
        return p;
    }

    /** What the poll written with {@code parameters} did, from the counts {@value #WRITE_POLL} returned. */
    public PollResult result(Map<String, Object> parameters, Map<String, Object> counts) {
        long malformed = malformedResponses.get();
        PollResult result = new PollResult(((Object[]) parameters.get("icao24")).length, count(counts, "inserted"),
                count(counts, "updated"), count(counts, "deleted"), ((Object[]) parameters.get("refusedReason")).length,
                malformed - malformedResponsesReported);
        malformedResponsesReported = malformed;
        observer.accept(result, List.of((String[]) parameters.get("refusedReason")));
        return result;
    }

    /** The parameters of the {@code rejected_state} row of a response refused as a whole, which is counted. */
    public Map<String, Object> refusedResponse(String reason, String body) {
        malformedResponses.incrementAndGet();
        Rejection kept = new Rejection(reason, body).keepingAtMost(MAX_RAW_CHARS);
        return Map.of("reason", kept.reason(), "raw", kept.raw());
    }

    /** Responses refused as a whole since this was made. */
    public long malformedResponses() {
        return malformedResponses.get();
    }

    private static long count(Map<String, Object> counts, String column) {
        return ((Number) counts.get(column)).longValue();
    }

    private static <S, T> T[] column(Collection<S> rows, IntFunction<T[]> array, Function<S, ? extends T> field) {
        return rows.stream().map(field).toArray(array);
    }

    private static Collection<StateVector> lastPerAircraft(List<StateVector> states) {
        Map<String, StateVector> byIcao = new LinkedHashMap<>();
        states.forEach(s -> byIcao.put(s.icao24(), s));
        return byIcao.values();
    }
}
