package routes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;

/**
 * Stands in for the source database in the poll route's tests: what the route sends to its SQL endpoints is
 * taken here instead, and each poll written answers as if every vector were new.
 */
public class RecordingSource {

    /** The parameters of each poll written (see source.PollStatement). */
    final List<Map<String, Object>> written = new ArrayList<>();
    /** Each response refused whole, as "reason | raw". */
    final List<String> rejectedResponses = new ArrayList<>();
    /** What the database throws, when set: camel-sql reports a failed statement as Spring's DataAccessException. */
    RuntimeException failWith;

    /** Sends the route's SQL to mock endpoints (the error handler's too), which {@link #answer} then answers here. */
    void standIn(AdviceWithRouteBuilder route) throws Exception {
        route.mockEndpointsAndSkip("sql:*");
    }

    /** Once the context has started, and made the mock endpoints. */
    void answer(CamelContext context) {
        context.getEndpoints().stream().filter(e -> e instanceof MockEndpoint && e.getEndpointUri().startsWith("mock://sql:"))
                .forEach(e -> ((MockEndpoint) e).whenAnyExchangeReceived(this::take));
    }

    /** The vectors of a poll written, by icao24. */
    static List<Object> icao24s(Map<String, Object> written) {
        return List.of((Object[]) written.get("icao24"));
    }

    @SuppressWarnings("unchecked")
    private void take(Exchange exchange) {
        if (failWith != null) {
            throw failWith;
        }
        Map<String, Object> parameters = exchange.getMessage().getBody(Map.class);
        if (parameters.containsKey("reason")) {
            rejectedResponses.add(parameters.get("reason") + " | " + parameters.get("raw"));
            return;
        }
        written.add(parameters);
        exchange.getMessage().setHeader(OpenSkyPollRoute.POLL_COUNTS,
                Map.of("inserted", icao24s(parameters).size(), "updated", 0, "deleted", 0));
    }
}
