package routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import opensky.AccessTokens;
import opensky.CreditBudget;
import opensky.PollGate;
import opensky.PollRecorder;
import opensky.simulator.Recording;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

class OpenSkyPollRouteTest extends PollRouteTestSupport {

    private static final String VECTOR = "[\"%s\", \"DLH1    \", \"Germany\", 1, 2, 8.5, 50.0, 1000.0, false,"
            + " 200.0, 90.0, 0.0, null, 1010.0, \"1000\", false, 0]";

    @TempDir
    static Path RECORDINGS;

    private MockEndpoint openSky;

    @Override
    protected Properties resolvedProperties() {
        return properties("flightcdc.opensky.base-url", "http://127.0.0.1:9/api",
                "flightcdc.opensky.states-query", "lamin=45.8&lomin=5.9&lamax=47.8&lomax=10.5&extended=1");
    }

    private final AccessTokens anonymous = new AccessTokens(Optional.empty(), URI.create("http://127.0.0.1:9/token"),
            Clock.systemUTC(), Duration.ofSeconds(1));

    @Override
    protected AccessTokens accessTokens() {
        return anonymous;
    }

    @Override
    protected PollGate pollGate() {
        return new PollGate(Duration.ofSeconds(5), Duration.ofMinutes(5), new CreditBudget(4, 400), anonymous,
                Clock.systemUTC());
    }

    @Override
    protected PollRecorder pollRecorder() {
        return new PollRecorder(Optional.of(RECORDINGS), Clock.systemUTC());
    }

    @BeforeEach
    void replaceTimerAndHttp() throws Exception {
        AdviceWith.adviceWith(context, OpenSkyPollRoute.ROUTE_ID, route -> {
            route.replaceFromWith("direct:poll");
            route.weaveById("opensky-api").replace().to("mock:opensky");
            source.standIn(route);
        });
        context.start();
        source.answer(context);
        openSky = getMockEndpoint("mock:opensky");
    }

    @Test
    void writesTheValidVectorsAndTheRejectionsOfOneResponse() {
        openSky.whenAnyExchangeReceived(e -> e.getMessage().setBody("{\"time\": 100, \"states\": ["
                + VECTOR.formatted("aaaaaa") + ", " + VECTOR.formatted("not-hex") + ", " + VECTOR.formatted("bbbbbb") + "]}"));

        Exchange result = template.send("direct:poll", e -> { });

        assertThat(result.getException()).isNull();
        assertThat(source.written).hasSize(1);
        Map<String, Object> written = source.written.get(0);
        assertThat(RecordingSource.icao24s(written)).containsExactly("aaaaaa", "bbbbbb");
        assertThat((String[]) written.get("refusedRaw")).singleElement().asString().contains("not-hex");
    }

    @Test
    void anAnonymousPollAsksForTheConfiguredBoxAndCategoryWithoutAToken() {
        openSky.whenAnyExchangeReceived(e -> e.getMessage().setBody("{\"time\": 100, \"states\": null}"));

        template.send("direct:poll", e -> { });

        assertThat(openSky.getExchanges()).singleElement().satisfies(request -> {
            assertThat(request.getMessage().getHeader(Exchange.HTTP_QUERY))
                    .isEqualTo("lamin=45.8&lomin=5.9&lamax=47.8&lomax=10.5&extended=1");
            assertThat(request.getMessage().getHeaders()).doesNotContainKey("Authorization");
        });
    }

    @Test
    void aMalformedResponseIsRecordedAndThePollCarriesOn() {
        openSky.whenAnyExchangeReceived(e -> e.getMessage().setBody("{\"time\": 100, \"states\": [[\"aaaa"));

        Exchange result = template.send("direct:poll", e -> { });

        assertThat(result.getException()).isNull();
        assertThat(source.written).isEmpty();
        assertThat(source.rejectedResponses).singleElement()
                .satisfies(r -> assertThat(r).startsWith("response is not JSON").endsWith("{\"time\": 100, \"states\": [[\"aaaa"));
    }

    @Test
    void everyResponseIsRecordedAsReceivedMalformedOnesToo() throws Exception {
        List<String> bodies = List.of("{\"time\": 100, \"states\": [" + VECTOR.formatted("aaaaaa") + "]}",
                "{\"time\": 105, \"states\": [[\"aaaa");
        Recording before = RECORDINGS.toFile().list().length == 0 ? null : Recording.open(RECORDINGS);
        int already = before == null ? 0 : before.size();
        openSky.whenExchangeReceived(1, e -> e.getMessage().setBody(bodies.get(0)));
        openSky.whenExchangeReceived(2, e -> e.getMessage().setBody(bodies.get(1)));

        template.send("direct:poll", e -> { });
        template.send("direct:poll", e -> { });

        Recording recording = Recording.open(RECORDINGS);
        assertThat(recording.size()).isEqualTo(already + 2);
        assertThat(new String(recording.body(already), StandardCharsets.UTF_8)).isEqualTo(bodies.get(0));
        assertThat(new String(recording.body(already + 1), StandardCharsets.UTF_8)).isEqualTo(bodies.get(1));
    }

    @Test
    void anHttpErrorWritesNothingAndIsLeftToTheNextPoll() {
        openSky.whenAnyExchangeReceived(e -> {
            throw new HttpOperationFailedException("http://127.0.0.1:9/api/states/all", 503, "Service Unavailable",
                    null, null, "down for maintenance");
        });

        Exchange result = template.send("direct:poll", e -> { });

        assertThat(result.getException()).isNull();
        assertThat(source.written).isEmpty();
        assertThat(source.rejectedResponses).isEmpty();
    }

    @Test
    void aDatabaseOutageIsLeftToTheNextPoll() {
        openSky.whenAnyExchangeReceived(e -> e.getMessage().setBody("{\"time\": 100, \"states\": []}"));
        source.failWith = new CannotGetJdbcConnectionException("Connection refused");

        Exchange result = template.send("direct:poll", e -> { });

        assertThat(result.getException()).isNull();
        assertThat(source.written).isEmpty();
    }
}
