package opensky;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import opensky.simulator.AirTrafficModel;
import opensky.simulator.OpenSkySimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AccessTokensTest {

    private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
    private static final ClientCredentials ALICE = new ClientCredentials("alice", "alice-secret");

    private final MutableClock clock = new MutableClock(NOW);
    private OpenSkySimulator simulator;

    @BeforeEach
    void start() {
        simulator = new OpenSkySimulator(new AirTrafficModel(1, 1, NOW), clock).requireCredentials(ALICE);
        simulator.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void aTokenIsCachedAndFetchedAgainAMinuteBeforeItExpires() throws Exception {
        AccessTokens tokens = tokens(ALICE);

        String first = tokens.authorization();
        assertThat(first).startsWith("Bearer ");
        clock.advance(Duration.ofMinutes(28));
        assertThat(tokens.authorization()).as("29 of 30 minutes left").isEqualTo(first);
        assertThat(simulator.tokensIssued()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(61));
        String second = tokens.authorization();
        assertThat(second).as("less than a minute left").isNotEqualTo(first);
        assertThat(simulator.tokensIssued()).isEqualTo(2);
    }

    @Test
    void anInvalidatedTokenIsReplacedOnTheNextCall() throws Exception {
        AccessTokens tokens = tokens(ALICE);
        String first = tokens.authorization();

        tokens.invalidate();

        assertThat(tokens.authorization()).isNotEqualTo(first);
        assertThat(tokens.fetched()).isEqualTo(2);
    }

    @Test
    void wrongCredentialsAreToldApartFromAnUnreachableEndpoint() throws Exception {
        assertThatThrownBy(() -> tokens(new ClientCredentials("alice", "guessed")).authorization())
                .isInstanceOf(CredentialsRejectedException.class)
                .hasMessageContaining("refused client 'alice' (401)")
                .hasMessageNotContaining("guessed");

        AccessTokens unreachable = new AccessTokens(Optional.of(ALICE), URI.create("http://127.0.0.1:9/token"), clock,
                Duration.ofSeconds(2));
        assertThatThrownBy(unreachable::authorization).isInstanceOf(IOException.class);
    }

    @Test
    void withoutCredentialsThereIsNoToken() {
        AccessTokens anonymous = new AccessTokens(Optional.empty(), URI.create(simulator.tokenUrl()), clock, Duration.ofSeconds(2));

        assertThat(anonymous.configured()).isFalse();
        assertThatThrownBy(anonymous::authorization).isInstanceOf(IllegalStateException.class);
    }

    private AccessTokens tokens(ClientCredentials client) {
        return new AccessTokens(Optional.of(client), URI.create(simulator.tokenUrl()), clock, Duration.ofSeconds(2));
    }
}
