package opensky.simulator;

import java.time.Duration;

/** A misbehaviour the simulator shows on demand, once, on the next {@code /states/all} call: see {@link Faults}. */
public sealed interface Fault {

    Fault STATUS_401 = status(401);
    Fault STATUS_500 = status(500);
    Fault STATUS_503 = status(503);

    /** Answers with this status and a short text body. */
    record Status(int code) implements Fault {
    }

    /** Answers 429 with {@code X-Rate-Limit-Retry-After-Seconds}, as OpenSky does when credits run out. */
    record RateLimited(long retryAfterSeconds) implements Fault {
    }

    /** Answers normally, after this delay. */
    record Slow(Duration delay) implements Fault {
    }

    /** Answers 200 with this body instead of the states. */
    record MalformedBody(String body) implements Fault {
    }

    static Fault status(int code) {
        return new Status(code);
    }

    static Fault rateLimited(long retryAfterSeconds) {
        return new RateLimited(retryAfterSeconds);
    }

    static Fault slow(Duration delay) {
        return new Slow(delay);
    }

    static Fault malformedBody(String body) {
        return new MalformedBody(body);
    }
}
