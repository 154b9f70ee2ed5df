package opensky.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
