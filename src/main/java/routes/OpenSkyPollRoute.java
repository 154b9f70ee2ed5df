package routes;

import java.io.IOException;
import java.sql.SQLException;
import opensky.MalformedResponseException;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.http.base.HttpOperationFailedException;

/** OpenSky → PostgreSQL: on a timer, fetch all state vectors and write them to the source table. */
public class OpenSkyPollRoute extends RouteBuilder {

    public static final String ROUTE_ID = "opensky-poll";

    @Override
    public void configure() {
        // A failed poll is reported and left to the next tick: the timer is the retry, never a tight loop.
        onException(MalformedResponseException.class)
                .handled(true)
                .log(LoggingLevel.WARN, "Rejected a malformed OpenSky response: ${exception.message}")
                .bean("flightStateRepository", "rejectResponse(${exception.message}, ${body})");
        onException(HttpOperationFailedException.class, IOException.class)
                .handled(true)
                .log(LoggingLevel.WARN, "OpenSky poll failed, retrying at the next poll: ${exception.message}");
        onException(SQLException.class)
                .handled(true)
                .log(LoggingLevel.WARN, "Could not write the poll to PostgreSQL, retrying at the next poll: ${exception.message}");

        from("timer:opensky-poll?period={{flightcdc.opensky.poll-interval-ms}}")
                .routeId(ROUTE_ID)
                .autoStartup("{{flightcdc.opensky.poll-enabled}}")
                .to("{{flightcdc.opensky.base-url}}/states/all?connectTimeout=10000&responseTimeout=30000").id("opensky-api")
                .convertBodyTo(String.class)
                .bean("stateVectorParser", "parse")
                .bean("flightStateRepository", "write")
                .log("Poll: ${body}");
    }
}
