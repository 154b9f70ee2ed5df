package routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import opensky.AccessTokens;
import opensky.ClientCredentials;
import opensky.CreditBudget;
import opensky.LogLines;
import opensky.MutableClock;
import opensky.PollGate;
import opensky.PollGate.Trouble;
import opensky.simulator.AirTrafficModel;
import opensky.simulator.Fault;
import opensky.simulator.OpenSkySimulator;
import org.apache.camel.builder.AdviceWith;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The poll route against the simulator, a real HTTP server on 127.0.0.1, with OAuth2 on and OpenSky's
 * faults shown on demand. Each test drives the poll tick by tick and moves one clock shared by the
 * simulator, the tokens and the gate, so expiry, backoff and retry-after pass without waiting.
 */
class OpenSkyPollFaultsTest extends PollRouteTestSupport {

    private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final ClientCredentials ALICE = new ClientCredentials("alice-api-client", "alice-s3cr3t");

    private final MutableClock clock = new MutableClock(NOW);
    private final OpenSkySimulator simulator = started(new OpenSkySimulator(new AirTrafficModel(50, 7, NOW), clock)
            .requireCredentials(ALICE));
    private final AccessTokens tokens = new AccessTokens(Optional.of(ALICE), URI.create(simulator.tokenUrl()), clock,
            Duration.ofSeconds(2));
    private final PollGate gate = new PollGate(INTERVAL, Duration.ofMinutes(1), new CreditBudget(4, 4000), tokens, clock);

    private static OpenSkySimulator started(OpenSkySimulator simulator) {
        simulator.start("127.0.0.1", 0);
        return simulator;
    }

    @Override
    protected Properties resolvedProperties() {
        // Asked for before this test's fields exist: the simulator's address is set in tickByHand. The response
        // timeout is well below the slow fault's 3 s, and well above what a busy machine takes to start sending 22 MB
        // (at 300 ms the too-large body timed out while the suite ran in two forks). It is also above the 1 s after
        // which Apache HttpClient would ask again by itself after a 429 or a 503, which a shorter timeout forbids it:
        // so the tests of those answers see that retry if it is ever turned back on.
        return properties("flightcdc.opensky.base-url", "http://127.0.0.1:9/api",
                "flightcdc.opensky.states-query", "extended=1",
                "flightcdc.opensky.response-timeout-ms", "1500");
    }

    @Override
    protected AccessTokens accessTokens() {
        return tokens;
    }

    @Override
    protected PollGate pollGate() {
        return gate;
    }

    @BeforeEach
    void tickByHand() throws Exception {
        context.getPropertiesComponent().addOverrideProperty("flightcdc.opensky.base-url", simulator.baseUrl());
        AdviceWith.adviceWith(context, OpenSkyPollRoute.ROUTE_ID, route -> {
            route.replaceFromWith("direct:poll");
            source.standIn(route);
        });
        context.start();
        source.answer(context);
    }

    @AfterEach
    void stopSimulator() {
        simulator.close();
    }

    @Test
    void eachPollCarriesABearerTokenFetchedAgainBeforeItExpires() {
        poll();
        assertThat(source.written).singleElement().satisfies(r -> assertThat(RecordingSource.icao24s(r)).hasSize(50));
        assertThat(simulator.tokensIssued()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(25));
        poll();
        assertThat(simulator.tokensIssued()).as("25 of 30 minutes: the same token").isEqualTo(1);

        clock.advance(Duration.ofMinutes(4).plusSeconds(30));
        poll();
        assertThat(simulator.tokensIssued()).as("30 s before expiry: a new one").isEqualTo(2);
        assertThat(source.written).hasSize(3);
        assertThat(gate.count(Trouble.UNAUTHORIZED)).isZero();
    }

    @Test
    void anExpiredTokenIsReplacedAfterThe401AndTheNextPollSucceeds() {
        poll();
        simulator.expireTokens();

        poll();
        assertThat(gate.count(Trouble.UNAUTHORIZED)).isEqualTo(1);
        assertThat(source.written).hasSize(1);

        poll();
        assertThat(simulator.tokensIssued()).isEqualTo(2);
        assertThat(source.written).hasSize(2);
        assertThat(gate.count(Trouble.CREDENTIALS_REJECTED)).isZero();
    }

    @Test
    void a401ToAFreshTokenBlamesTheCredentialsAndBacksOff() {
        simulator.faults().next(Fault.STATUS_401).next(Fault.STATUS_401);

        poll();
        poll();
        assertThat(gate.count(Trouble.UNAUTHORIZED)).isEqualTo(2);
        assertThat(gate.count(Trouble.CREDENTIALS_REJECTED)).isEqualTo(1);

        poll();
        assertThat(simulator.statesCalls()).as("backing off").isEqualTo(2);
        clock.advance(INTERVAL.multipliedBy(2));
        poll();
        assertThat(source.written).hasSize(1);
    }

    @Test
    void credentialsTheTokenEndpointRefusesAreReportedOnceAndBackedOff() {
        simulator.requireCredentials(new ClientCredentials("alice-api-client", "rotated"));
        try (LogLines log = new LogLines(Level.INFO)) {
            poll();
            clock.advance(INTERVAL.multipliedBy(2));
            poll();
            poll();

            assertThat(gate.count(Trouble.CREDENTIALS_REJECTED)).isEqualTo(2);
            assertThat(gate.skippedTicks()).isEqualTo(1);
            assertThat(simulator.statesCalls()).isZero();
            assertThat(log.of(PollGate.class)).singleElement().asString()
                    .startsWith("ERROR").contains("refused client 'alice-api-client' (401)", "FLIGHTCDC_OPENSKY_CLIENT_SECRET");
        }
    }

    @Test
    void a429WaitsTheSecondsOpenSkyNamesBeforeTheNextCall() {
        simulator.faults().rateLimited(120);

        poll();
        clock.advance(Duration.ofSeconds(119));
        poll();
        assertThat(simulator.statesCalls()).isEqualTo(1);
        assertThat(gate.count(Trouble.RATE_LIMITED)).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        poll();
        assertThat(simulator.statesCalls()).isEqualTo(2);
        assertThat(source.written).hasSize(1);
    }

    @Test
    void spentCreditsAnswer429UntilTheyRenew() {
        simulator.dailyCredits(4);

        poll();
        poll();
        assertThat(gate.count(Trouble.RATE_LIMITED)).isEqualTo(1);
        assertThat(gate.closedUntil()).as("midnight UTC").isEqualTo(Instant.parse("2026-05-02T00:00:00Z"));
    }

    @Test
    void serverErrorsBackOffDoublingAndASuccessResets() {
        simulator.faults().next(Fault.STATUS_503).next(Fault.STATUS_500);

        poll();
        clock.advance(INTERVAL.multipliedBy(2));
        poll();
        clock.advance(INTERVAL.multipliedBy(2));
        poll();
        assertThat(simulator.statesCalls()).as("the second backoff is twice as long").isEqualTo(2);

        clock.advance(INTERVAL.multipliedBy(2));
        poll();
        assertThat(source.written).hasSize(1);
        assertThat(gate.count(Trouble.SERVER_ERROR)).isEqualTo(2);
        assertThat(gate.closedUntil()).isEqualTo(Instant.MIN);
    }

    @Test
    void aTimeoutBacksOffAndWritesNothing() {
        simulator.faults().slow(Duration.ofSeconds(3));

        poll();

        assertThat(gate.count(Trouble.TIMEOUT)).isEqualTo(1);
        assertThat(source.written).isEmpty();
        assertThat(gate.closedUntil()).isAfter(clock.instant());
    }

    @Test
    void aMalformedBodyIsRecordedAndTheNextPollCarriesOn() {
        simulator.faults().malformedBody("{\"time\": 1, \"states\": [[\"abc");

        poll();
        poll();

        assertThat(source.rejectedResponses).singleElement().asString().endsWith("{\"time\": 1, \"states\": [[\"abc");
        assertThat(gate.count(Trouble.MALFORMED_BODY)).isEqualTo(1);
        assertThat(source.written).hasSize(1);
    }

    @Test
    void aResponseTooLargeToBeOpenSkysIsCutRefusedAndTheNextPollCarriesOn() {
        simulator.faults().malformedBody("{\"time\": 1, \"states\": [" + "[\"abcdef\"],".repeat(2_000_000) + "]}");

        poll();
        poll();

        assertThat(source.rejectedResponses).singleElement().asString()
                .startsWith("response is larger than 16777216 bytes").contains("{\"time\": 1, \"states\": [[\"abcdef\"]");
        assertThat(gate.count(Trouble.MALFORMED_BODY)).isEqualTo(1);
        assertThat(source.written).hasSize(1);
    }

    @Test
    void neitherTheSecretNorATokenIsLogged() {
        try (LogLines log = new LogLines(Level.DEBUG)) {
            poll();
            simulator.expireTokens();
            poll();
            simulator.requireCredentials(new ClientCredentials("alice-api-client", "rotated"));
            poll();

            assertThat(log.all()).isNotEmpty().noneMatch(line -> line.contains(ALICE.clientSecret()));
            assertThat(log.all()).noneMatch(line -> line.contains("Bearer "));
        }
    }

    private void poll() {
        assertThat(template.send("direct:poll", e -> { }).getException()).isNull();
    }
}
