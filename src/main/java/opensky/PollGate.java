package opensky;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a poll tick may call OpenSky, and learns from each call's outcome. A 429 closes the
 * gate for the time OpenSky names; a server error, timeout or connection error closes it for an
 * exponential backoff that starts at twice the poll interval and is capped; a success opens it again.
 * The timer keeps ticking; closed ticks are skipped, so no failure turns into a tight loop. Each
 * outcome is counted and logged once, when it happens, never on the ticks skipped after it.
 */
public final class PollGate {

    private static final Logger LOG = LoggerFactory.getLogger(PollGate.class);
    /** INFO when the remaining credits fall below these shares of the daily budget. */
    private static final double[] REMAINING_THRESHOLDS = {0.5, 0.25, 0.1};

    /** Why a poll failed. */
    public enum Trouble {
        /** 429: the credits are used up. */
        RATE_LIMITED,
        /** 401: the access token was refused. */
        UNAUTHORIZED,
        /** The credentials themselves were refused: by the token endpoint, or a fresh token by the API. */
        CREDENTIALS_REJECTED,
        /** A 5xx, or any other unexpected status. */
        SERVER_ERROR,
        /** No answer within the timeouts. */
        TIMEOUT,
        /** The connection could not be made or broke. */
        CONNECTION_ERROR,
        /** A 200 whose body is not a states response. */
        MALFORMED_BODY
    }

    private final Duration pollInterval;
    private final Duration maxBackoff;
    private final CreditBudget budget;
    private final AccessTokens tokens;
    private final Clock clock;
    private final Map<Trouble, Long> troubles = new EnumMap<>(Trouble.class);
    private long successes;
    private long skippedTicks;
    private Instant closedUntil = Instant.MIN;
    private int failuresInARow;
    private int unauthorizedInARow;
    private boolean credentialsReported;
    private long lastRemaining = -1;

    public PollGate(Duration pollInterval, Duration maxBackoff, CreditBudget budget, AccessTokens tokens, Clock clock) {
        this.pollInterval = pollInterval;
        this.maxBackoff = maxBackoff;
        this.budget = budget;
        this.tokens = tokens;
        this.clock = clock;
    }

    /** Logs what a poll costs and how long the daily credits last; warns when they do not last the day. */
    public void reportBudget() {
        if (budget.lastsADay(pollInterval)) {
            LOG.info("OpenSky: {}", budget.describe(pollInterval));
        } else {
            Duration fits = budget.shortestIntervalForADay();
            LOG.warn("OpenSky: {}, less than a day: once they are spent OpenSky answers 429 until they renew."
                    + " Poll every {} s or more (flightcdc.opensky.poll-interval-ms={}) to last the day",
                    budget.describe(pollInterval), fits.toSeconds(), fits.toMillis());
        }
    }

    /** Whether this tick may poll; false while waiting out a 429 or a backoff. */
    public synchronized boolean open() {
        if (clock.instant().isBefore(closedUntil)) {
            skippedTicks++;
            return false;
        }
        return true;
    }

    /** OpenSky answered 200; {@code remaining} is its X-Rate-Limit-Remaining header, if it sent one. */
    public synchronized void answered(String remaining) {
        successes++;
        if (failuresInARow > 0) {
            LOG.info("OpenSky answers again after {} failed poll{}", failuresInARow, failuresInARow == 1 ? "" : "s");
        }
        failuresInARow = 0;
        unauthorizedInARow = 0;
        credentialsReported = false;
        closedUntil = Instant.MIN;
        parse(remaining).ifPresent(this::reportRemaining);
    }

    /** OpenSky answered with an error status. */
    public synchronized void refused(HttpOperationFailedException e) {
        int status = e.getStatusCode();
        if (status == 429) {
            rateLimited(header(e, "X-Rate-Limit-Retry-After-Seconds").flatMap(PollGate::parse));
        } else if (status == 401) {
            unauthorized();
        } else {
            fail(Trouble.SERVER_ERROR, "OpenSky answered " + status + " " + e.getStatusText());
        }
    }

    /** The call did not get an answer: a timeout, a refused or broken connection, or the token endpoint down. */
    public synchronized void unreachable(Exception caught) {
        // Camel hands the exception it caught, which may wrap the IOException: a timeout while the body is read
        // arrives inside the StreamCacheException of its conversion.
        Throwable e = caught;
        while (!(e instanceof IOException) && e.getCause() != null) {
            e = e.getCause();
        }
        boolean timeout = e instanceof InterruptedIOException || e instanceof HttpTimeoutException;
        fail(timeout ? Trouble.TIMEOUT : Trouble.CONNECTION_ERROR, (timeout ? "OpenSky did not answer in time: " : "Could not reach OpenSky: ")
                + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    /** The token endpoint refused the client id and secret. */
    public synchronized void credentialsRejected(String reason) {
        credentialsWrong(reason);
    }

    /** OpenSky answered 200 with a body that is not a states response (logged and recorded by the route). */
    public synchronized void malformed() {
        record(Trouble.MALFORMED_BODY);
    }

    /** OpenSky's X-Rate-Limit-Remaining at its last answer, or NaN before it sent one. */
    public synchronized double creditsRemaining() {
        return lastRemaining < 0 ? Double.NaN : lastRemaining;
    }

    public synchronized long successes() {
        return successes;
    }

    public synchronized long count(Trouble trouble) {
        return troubles.getOrDefault(trouble, 0L);
    }

    /** Ticks skipped while the gate was closed. */
    public synchronized long skippedTicks() {
        return skippedTicks;
    }

    /** When the gate opens again; {@link Instant#MIN} when it is open. */
    public synchronized Instant closedUntil() {
        return closedUntil;
    }

    private void rateLimited(Optional<Long> retryAfterSeconds) {
        record(Trouble.RATE_LIMITED);
        if (retryAfterSeconds.isEmpty()) {
            // Without OpenSky's word on when credits return, back off as from any other failure.
            failuresInARow++;
            closedUntil = clock.instant().plus(backoff());
            LOG.warn("OpenSky's credits are used up (429, no retry header): next poll in {} s", backoff().toSeconds());
            return;
        }
        closedUntil = clock.instant().plusSeconds(retryAfterSeconds.get());
        LOG.warn("OpenSky's credits are used up (429): no polls for {} s, until {}", retryAfterSeconds.get(), closedUntil);
    }

    private void unauthorized() {
        record(Trouble.UNAUTHORIZED);
        unauthorizedInARow++;
        tokens.invalidate();
        if (unauthorizedInARow == 1 && tokens.configured()) {
            // Tokens expire; a new one is the fix, and the next tick fetches it.
            LOG.warn("OpenSky refused the access token (401): fetching a new one for the next poll");
            return;
        }
        credentialsWrong(tokens.configured()
                ? "OpenSky refused a freshly issued access token (401): check FLIGHTCDC_OPENSKY_CLIENT_ID and FLIGHTCDC_OPENSKY_CLIENT_SECRET"
                : "OpenSky answered 401 to an anonymous poll");
    }

    /** Logged once until a poll succeeds again: retrying with the same credentials repeats the same answer. */
    private void credentialsWrong(String reason) {
        record(Trouble.CREDENTIALS_REJECTED);
        failuresInARow++;
        closedUntil = clock.instant().plus(backoff());
        if (!credentialsReported) {
            LOG.error("{}; backing off, retrying every {} s at most", reason, maxBackoff.toSeconds());
            credentialsReported = true;
        } else {
            LOG.debug("{}; next poll in {} s", reason, backoff().toSeconds());
        }
    }

    private void fail(Trouble trouble, String what) {
        record(trouble);
        failuresInARow++;
        Duration wait = backoff();
        closedUntil = clock.instant().plus(wait);
        LOG.warn("{}; next poll in {} s ({} failure{} in a row)", what, wait.toSeconds(), failuresInARow,
                failuresInARow == 1 ? "" : "s");
    }

    /** Twice the poll interval after the first failure, doubling with each further one, capped. */
    private Duration backoff() {
        int doublings = Math.min(failuresInARow, 30);
        Duration wait = pollInterval.multipliedBy(1L << doublings);
        return wait.compareTo(maxBackoff) > 0 || wait.isNegative() ? maxBackoff : wait;
    }

    private void reportRemaining(long remaining) {
        boolean first = lastRemaining < 0;
        boolean crossed = false;
        for (double share : REMAINING_THRESHOLDS) {
            double threshold = share * budget.dailyCredits();
            crossed |= lastRemaining >= threshold && remaining < threshold;
        }
        lastRemaining = remaining;
        if (first || crossed) {
            LOG.info("OpenSky credits remaining: {} of {} a day, {} polls at {} each", remaining, budget.dailyCredits(),
                    remaining / budget.costPerCall(), budget.costPerCall());
        } else {
            LOG.debug("OpenSky credits remaining: {}", remaining);
        }
    }

    private void record(Trouble trouble) {
        troubles.merge(trouble, 1L, Long::sum);
    }

    private static Optional<String> header(HttpOperationFailedException e, String name) {
        return e.getResponseHeaders() == null ? Optional.empty() : e.getResponseHeaders().entrySet().stream()
                .filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
    }

    private static Optional<Long> parse(String number) {
        if (number == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(number.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
