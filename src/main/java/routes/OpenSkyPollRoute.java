package routes;

import java.io.IOException;
import java.sql.SQLException;
import opensky.CredentialsRejectedException;
import opensky.MalformedResponseException;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.springframework.dao.DataAccessException;

/**
 * OpenSky → PostgreSQL: on a timer, fetch the state vectors and write them to the source table, with one SQL
 * statement (camel-sql) whose parameters and counts are source/PollStatement's. The poll gate decides whether a
 * tick may call OpenSky and learns from every answer, so rate limits and failures close it for a while; the
 * access tokens add the bearer token when credentials are set.
 */
public class OpenSkyPollRoute extends RouteBuilder {

    public static final String ROUTE_ID = "opensky-poll";

    /** One poll, written in one statement: its parameters and counts are source/PollStatement's. */
    public static final String WRITE_POLL = "sql:classpath:poll/write-poll.sql?dataSource=#sourceDataSource&outputType=SelectOne";

    /** A response refused as a whole, kept with the reason. */
    public static final String WRITE_REFUSED_RESPONSE =
            "sql:INSERT INTO rejected_state (reason, raw) VALUES (:#reason, :#raw)?dataSource=#sourceDataSource";

    /** Where the write-poll statement leaves its counts, while the body still holds its parameters. */
    static final String POLL_COUNTS = "pollCounts";

    @Override
    public void configure() {
        // A failed poll is reported to the gate and left to a later tick: the timer is the retry, never a tight loop.
        onException(MalformedResponseException.class)
                .handled(true)
                .log(LoggingLevel.WARN, "Rejected a malformed OpenSky response: ${exception.message}")
                .bean("pollGate", "malformed")
                .setBody(method("pollStatement", "refusedResponse(${exception.message}, ${body})"))
                .to(WRITE_REFUSED_RESPONSE);
        onException(HttpOperationFailedException.class)
                .handled(true)
                .bean("pollGate", "refused(${exception})");
        onException(IOException.class)
                .handled(true)
                .bean("pollGate", "unreachable(${exception})");
        onException(CredentialsRejectedException.class)
                .handled(true)
                .bean("pollGate", "credentialsRejected(${exception.message})");
        // camel-sql reports a failed statement as Spring's DataAccessException.
        onException(SQLException.class, DataAccessException.class)
                .handled(true)
                .log(LoggingLevel.WARN, "Could not write the poll to PostgreSQL, retrying at the next poll: ${exception.message}");

        from("timer:opensky-poll?period={{flightcdc.opensky.poll-interval-ms}}")
                .routeId(ROUTE_ID)
                .autoStartup("{{flightcdc.opensky.poll-enabled}}")
                .filter(method("pollGate", "open")) // closed while waiting out a 429 or a backoff: the tick is skipped
                .choice().when(method("accessTokens", "configured"))
                    .setHeader("Authorization", method("accessTokens", "authorization"))
                .end()
                .setHeader(Exchange.HTTP_QUERY, simple("{{flightcdc.opensky.states-query}}"))
                .to("{{flightcdc.opensky.base-url}}/states/all?connectTimeout=10000"
                        + "&responseTimeout={{flightcdc.opensky.response-timeout-ms}}"
                        // The raw stream, so that responseBody reads no more than a response can plausibly be.
                        + "&disableStreamCache=true").id("opensky-api")
                .removeHeader("Authorization") // the token goes to OpenSky only, not on with the exchange
                .bean("pollGate", "answered(${header.X-Rate-Limit-Remaining})")
                .bean("responseBody", "read")
                .bean("pollRecorder", "record") // as received, malformed ones too, when flightcdc.opensky.record-dir is set
                .bean("stateVectorParser", "parse")
                .bean("pollStatement", "parameters")
                .to(WRITE_POLL + "&outputHeader=" + POLL_COUNTS)
                .bean("pollStatement", "result(${body}, ${header." + POLL_COUNTS + "})")
                .removeHeader(POLL_COUNTS)
                .log("Poll: ${body}");
    }
}
