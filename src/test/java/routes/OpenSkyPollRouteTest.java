package routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import opensky.StateVector;
import opensky.StateVectorParser;
import opensky.StatesResponse;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import source.PollResult;

class OpenSkyPollRouteTest extends RouteTestSupport {

    private static final String VECTOR = "[\"%s\", \"DLH1    \", \"Germany\", 1, 2, 8.5, 50.0, 1000.0, false,"
            + " 200.0, 90.0, 0.0, null, 1010.0, \"1000\", false, 0]";

    private final RecordingRepository repository = new RecordingRepository();
    private MockEndpoint openSky;

    @Override
    protected Properties resolvedProperties() {
        return properties("flightcdc.opensky.base-url", "http://127.0.0.1:9/api");
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addRoutesBuilder(new OpenSkyPollRoute());
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("stateVectorParser", new StateVectorParser());
        registry.bind("flightStateRepository", repository);
    }

    @BeforeEach
    void replaceTimerAndHttp() throws Exception {
        AdviceWith.adviceWith(context, OpenSkyPollRoute.ROUTE_ID, route -> {
            route.replaceFromWith("direct:poll");
            route.weaveById("opensky-api").replace().to("mock:opensky");
        });
        context.start();
        openSky = getMockEndpoint("mock:opensky");
    }

    @Test
    void writesTheValidVectorsAndTheRejectionsOfOneResponse() {
        openSky.whenAnyExchangeReceived(e -> e.getMessage().setBody("{\"time\": 100, \"states\": ["
                + VECTOR.formatted("aaaaaa") + ", " + VECTOR.formatted("not-hex") + ", " + VECTOR.formatted("bbbbbb") + "]}"));

        Exchange result = template.send("direct:poll", e -> { });

        assertThat(result.getException()).isNull();
        assertThat(repository.written).hasSize(1);
        StatesResponse written = repository.written.get(0);
        assertThat(written.states()).extracting(StateVector::icao24).containsExactly("aaaaaa", "bbbbbb");
        assertThat(written.rejections()).singleElement()
                .satisfies(r -> assertThat(r.raw()).contains("not-hex"));
    }

    @Test
    void aMalformedResponseIsRecordedAndThePollCarriesOn() {
        openSky.whenAnyExchangeReceived(e -> e.getMessage().setBody("{\"time\": 100, \"states\": [[\"aaaa"));

        Exchange result = template.send("direct:poll", e -> { });

        assertThat(result.getException()).isNull();
        assertThat(repository.written).isEmpty();
        assertThat(repository.rejectedResponses).singleElement()
                .satisfies(r -> assertThat(r).startsWith("response is not JSON").endsWith("{\"time\": 100, \"states\": [[\"aaaa"));
    }

    @Test
    void anHttpErrorWritesNothingAndIsLeftToTheNextPoll() {
        openSky.whenAnyExchangeReceived(e -> {
            throw new HttpOperationFailedException("http://127.0.0.1:9/api/states/all", 503, "Service Unavailable",
                    null, null, "down for maintenance");
        });

        Exchange result = template.send("direct:poll", e -> { });

        assertThat(result.getException()).isNull();
        assertThat(repository.written).isEmpty();
        assertThat(repository.rejectedResponses).isEmpty();
    }

    @Test
    void aDatabaseOutageIsLeftToTheNextPoll() {
        openSky.whenAnyExchangeReceived(e -> e.getMessage().setBody("{\"time\": 100, \"states\": []}"));
        repository.failWith = new SQLException("Connection refused");

        Exchange result = template.send("direct:poll", e -> { });

        assertThat(result.getException()).isNull();
        assertThat(repository.written).isEmpty();
    }

    /** Stands in for source.FlightStateRepository: the route calls it by method name. */
    public static class RecordingRepository {
        final List<StatesResponse> written = new ArrayList<>();
        final List<String> rejectedResponses = new ArrayList<>();
        SQLException failWith;

        public PollResult write(StatesResponse response) throws SQLException {
            if (failWith != null) {
                throw failWith;
            }
            written.add(response);
            return new PollResult(response.states().size(), response.states().size(), 0, 0, response.rejections().size());
        }

        public void rejectResponse(String reason, String body) {
            rejectedResponses.add(reason + " | " + body);
        }
    }
}
