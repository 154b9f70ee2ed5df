package opensky;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import opensky.PollGate.Trouble;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

class PollGateTest {

    private static final Duration INTERVAL = Duration.ofSeconds(10);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T10:00:00Z"));
    private final AccessTokens tokens = new AccessTokens(Optional.of(new ClientCredentials("alice", "alice-secret")),
            URI.create("http://127.0.0.1:9/token"), clock, Duration.ofSeconds(1));
    private final PollGate gate = new PollGate(INTERVAL, Duration.ofSeconds(60), new CreditBudget(4, 4000), tokens, clock);

    /** A timeout while the body is read reaches the gate inside the exception of Camel's conversion of the body. */
    @Test
    void aTimeoutWrappedInAnotherExceptionIsStillATimeout() {
        gate.unreachable(new IllegalStateException("Error during type conversion to StreamCache",
                new SocketTimeoutException("Read timed out")));

        assertThat(gate.count(Trouble.TIMEOUT)).isEqualTo(1);
        assertClosedFor(Duration.ofSeconds(20));
    }

    @Test
    void failuresBackOffFromTwiceTheIntervalDoublingUpToTheCapAndASuccessResets() {
        gate.unreachable(new ConnectException("Connection refused"));
        assertClosedFor(Duration.ofSeconds(20));

        gate.refused(status(503));
        assertClosedFor(Duration.ofSeconds(40));

        gate.unreachable(new SocketTimeoutException("Read timed out"));
        assertClosedFor(Duration.ofSeconds(60));
        gate.refused(status(500));
        assertClosedFor(Duration.ofSeconds(60));

        gate.answered("3996");
        assertThat(gate.open()).isTrue();
        gate.refused(status(502));
        assertClosedFor(Duration.ofSeconds(20));

        assertThat(gate.count(Trouble.CONNECTION_ERROR)).isEqualTo(1);
        assertThat(gate.count(Trouble.TIMEOUT)).isEqualTo(1);
        assertThat(gate.count(Trouble.SERVER_ERROR)).isEqualTo(3);
        assertThat(gate.successes()).isEqualTo(1);
    }

    @Test
    void a429ClosesTheGateForAsLongAsOpenSkySays() {
        gate.refused(new HttpOperationFailedException("http://opensky/api/states/all", 429, "Too Many Requests", null,
                Map.of("x-rate-limit-retry-after-seconds", "3600"), ""));

        assertClosedFor(Duration.ofSeconds(3600));
        assertThat(gate.count(Trouble.RATE_LIMITED)).isEqualTo(1);
    }

    @Test
    void a401FetchesANewTokenOnceAndASecondInARowBlamesTheCredentials() {
        gate.refused(status(401));
        assertThat(gate.open()).as("the next tick polls with a new token").isTrue();

        gate.refused(status(401));
        assertClosedFor(Duration.ofSeconds(20));
        assertThat(gate.count(Trouble.UNAUTHORIZED)).isEqualTo(2);
        assertThat(gate.count(Trouble.CREDENTIALS_REJECTED)).isEqualTo(1);
    }

    @Test
    void eachEventIsLoggedOnceAndTheSkippedTicksNotAtAll() {
        try (LogLines log = new LogLines(Level.INFO)) {
            gate.refused(status(503));
            for (int tick = 0; tick < 5; tick++) {
                gate.open();
            }
            gate.credentialsRejected("refused client 'alice'");
            gate.credentialsRejected("refused client 'alice'");

            assertThat(log.of(PollGate.class)).containsExactly(
                    "WARN opensky.PollGate: OpenSky answered 503 Service Unavailable; next poll in 20 s (1 failure in a row)",
                    "ERROR opensky.PollGate: refused client 'alice'; backing off, retrying every 60 s at most");
            assertThat(gate.skippedTicks()).isEqualTo(5);
        }
    }

    @Test
    void theRemainingCreditsAreLoggedFirstAndWhenTheyCrossAThreshold() {
        try (LogLines log = new LogLines(Level.INFO)) {
            gate.answered("3000");
            gate.answered("2500");
            gate.answered("1996");
            gate.answered("1992");
            gate.answered(null);

            assertThat(log.of(PollGate.class)).containsExactly(
                    "INFO opensky.PollGate: OpenSky credits remaining: 3000 of 4000 a day, 750 polls at 4 each",
                    "INFO opensky.PollGate: OpenSky credits remaining: 1996 of 4000 a day, 499 polls at 4 each");
        }
    }

    @Test
    void theStartupLineSaysHowLongTheCreditsLastAndWarnsWhenNotADay() {
        try (LogLines log = new LogLines(Level.INFO)) {
            new PollGate(Duration.ofSeconds(30), Duration.ofMinutes(5), new CreditBudget(1, 4000), tokens, clock).reportBudget();
            new PollGate(Duration.ofSeconds(5), Duration.ofMinutes(5), new CreditBudget(4, 4000), tokens, clock).reportBudget();

            assertThat(log.of(PollGate.class)).containsExactly(
                    "INFO opensky.PollGate: OpenSky: each poll costs 1 credit; at one poll every 30 s the daily budget of 4000"
                            + " lasts 33.3 hours",
                    "WARN opensky.PollGate: OpenSky: each poll costs 4 credits; at one poll every 5 s the daily budget of 4000"
                            + " lasts 1.4 hours, less than a day: once they are spent OpenSky answers 429 until they renew."
                            + " Poll every 87 s or more (flightcdc.opensky.poll-interval-ms=87000) to last the day");
        }
    }

    private void assertClosedFor(Duration wait) {
        assertThat(gate.closedUntil()).isEqualTo(clock.instant().plus(wait));
        clock.advance(wait.minusSeconds(1));
        assertThat(gate.open()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(gate.open()).isTrue();
    }

    private static HttpOperationFailedException status(int code) {
        return new HttpOperationFailedException("http://opensky/api/states/all", code,
                code == 503 ? "Service Unavailable" : "Error", null, Map.of(), "");
    }
}
