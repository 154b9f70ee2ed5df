package opensky.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import opensky.ClientCredentials;
import opensky.StateVectorParser;
import opensky.StatesResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenSkySimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");

    private final HttpClient http = HttpClient.newHttpClient();
    private OpenSkySimulator simulator;

    @BeforeEach
    void start() {
        simulator = new OpenSkySimulator(new AirTrafficModel(300, 1, NOW), Clock.fixed(NOW, ZoneOffset.UTC));
        simulator.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void servesStatesAllAsOpenSkyDoes() throws Exception {
        HttpResponse<String> response = get("/states/all");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(response.headers().firstValue("X-Rate-Limit-Remaining")).isPresent();
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("time").isIntegralNumber()).isTrue();
        assertThat(body.get("time").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(body.get("states")).hasSize(300).allSatisfy(s -> assertThat(s).hasSize(17));
        StatesResponse parsed = new StateVectorParser().parse(response.body());
        assertThat(parsed.rejections()).isEmpty();
        assertThat(parsed.states()).hasSize(300);
    }

    @Test
    void extendedAddsTheCategoryAndABoxFilters() throws Exception {
        assertThat(JSON.readTree(get("/states/all?extended=1").body()).get("states"))
                .allSatisfy(s -> assertThat(s).hasSize(18));

        JsonNode boxed = JSON.readTree(get("/states/all?lamin=0&lomin=0&lamax=30&lomax=30").body()).get("states");
        if (!boxed.isNull()) {
            assertThat(boxed.size()).isLessThan(300);
            assertThat(boxed).allSatisfy(s -> assertThat(s.get(6).asDouble()).isBetween(0.0, 30.0));
        }
        JsonNode empty = JSON.readTree(get("/states/all?lamin=89.9&lomin=0&lamax=90&lomax=0.1").body());
        assertThat(empty.get("states").isNull()).as("OpenSky sends null when nothing matches").isTrue();
    }

    @Test
    void refusesBadParametersAndUnknownPaths() throws Exception {
        HttpResponse<String> bad = get("/states/all?lamin=north&lomin=0&lamax=1&lomax=1");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("lamin");
        assertThat(get("/states/all?lamin=1").statusCode()).isEqualTo(400);
        assertThat(get("/flights/all").statusCode()).isEqualTo(404);
    }

    @Test
    void withCredentialsItIssuesTokensAndRefusesCallsWithoutAValidOne() throws Exception {
        simulator.requireCredentials(new ClientCredentials("alice", "secret"));

        assertThat(token("grant_type=client_credentials&client_id=alice&client_secret=wrong").statusCode()).isEqualTo(401);
        assertThat(token("grant_type=password&client_id=alice&client_secret=secret").statusCode()).isEqualTo(400);
        HttpResponse<String> issued = token("grant_type=client_credentials&client_id=alice&client_secret=secret");
        assertThat(issued.statusCode()).isEqualTo(200);
        JsonNode token = JSON.readTree(issued.body());
        assertThat(token.get("expires_in").asLong()).isEqualTo(1800);
        assertThat(token.get("token_type").asText()).isEqualTo("Bearer");
        String bearer = "Bearer " + token.get("access_token").asText();

        assertThat(get("/states/all").statusCode()).as("no token").isEqualTo(401);
        assertThat(get("/states/all", "Bearer made-up").statusCode()).isEqualTo(401);
        assertThat(get("/states/all", bearer).statusCode()).isEqualTo(200);
        simulator.expireTokens();
        assertThat(get("/states/all", bearer).statusCode()).as("expired").isEqualTo(401);
        assertThat(simulator.tokensIssued()).isEqualTo(1);
    }

    @Test
    void creditsCountDownByTheCostOfEachCallAnd429TellsWhenTheyRenew() throws Exception {
        simulator.dailyCredits(6);

        HttpResponse<String> global = get("/states/all");
        assertThat(global.headers().firstValue("X-Rate-Limit-Remaining")).contains("2");
        HttpResponse<String> small = get("/states/all?lamin=45&lomin=5&lamax=50&lomax=10");
        assertThat(small.headers().firstValue("X-Rate-Limit-Remaining")).as("25 sq° cost 1").contains("1");

        HttpResponse<String> spent = get("/states/all");
        assertThat(spent.statusCode()).isEqualTo(429);
        assertThat(spent.headers().firstValue("X-Rate-Limit-Retry-After-Seconds")).as("until midnight UTC").contains("50400");
        assertThat(get("/states/all?lamin=45&lomin=5&lamax=50&lomax=10").statusCode()).as("the last credit still buys a small box")
                .isEqualTo(200);
    }

    @Test
    void showsTheFaultsATestAsksForOnePerCallInOrder() throws Exception {
        simulator.faults().next(Fault.STATUS_503).rateLimited(42).malformedBody("{\"time\": 1, \"sta").slow(Duration.ofMillis(300));

        assertThat(get("/states/all").statusCode()).isEqualTo(503);
        HttpResponse<String> limited = get("/states/all");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("X-Rate-Limit-Retry-After-Seconds")).contains("42");
        HttpResponse<String> malformed = get("/states/all");
        assertThat(malformed.statusCode()).isEqualTo(200);
        assertThat(malformed.body()).isEqualTo("{\"time\": 1, \"sta");
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/states/all"))
                .timeout(Duration.ofMillis(100)).GET().build(), HttpResponse.BodyHandlers.ofString()))
                .as("answered only after 300 ms").isInstanceOf(HttpTimeoutException.class);
        assertThat(simulator.faults().pending()).isZero();
        assertThat(get("/states/all").statusCode()).as("faults are shown once").isEqualTo(200);
        assertThat(simulator.statesCalls()).isEqualTo(5);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path)).header("Authorization", authorization)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> token(String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(simulator.tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
