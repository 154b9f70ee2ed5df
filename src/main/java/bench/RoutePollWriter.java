package bench;

import java.util.Map;
import javax.sql.DataSource;
import opensky.StatesResponse;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import routes.OpenSkyPollRoute;
import source.PollResult;
import source.PollStatement;

/**
 * The poll route's writes outside the route: its parameters, sent to its camel-sql endpoints, its result. What
 * bench-poll times, and what the tests of the statements drive, so that both run exactly what the route runs.
 */
public final class RoutePollWriter implements AutoCloseable {

    private final PollStatement statement;
    private final CamelContext camel = new DefaultCamelContext();
    private final ProducerTemplate template;

    public RoutePollWriter(DataSource source, int staleAfterSeconds) {
        statement = new PollStatement(staleAfterSeconds);
        camel.getRegistry().bind("sourceDataSource", source);
        camel.start();
        template = camel.createProducerTemplate();
    }

    public PollResult write(StatesResponse response) {
        Map<String, Object> parameters = statement.parameters(response);
        @SuppressWarnings("unchecked")
        Map<String, Object> counts = template.requestBody(OpenSkyPollRoute.WRITE_POLL, parameters, Map.class);
        return statement.result(parameters, counts);
    }

    public void rejectResponse(String reason, String body) {
        template.sendBody(OpenSkyPollRoute.WRITE_REFUSED_RESPONSE, statement.refusedResponse(reason, body));
    }

    public long malformedResponses() {
        return statement.malformedResponses();
    }

    @Override
    public void close() {
        camel.stop();
    }
}
