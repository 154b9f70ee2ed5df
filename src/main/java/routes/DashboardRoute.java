package routes;

import dashboard.ConsoleException;
import dashboard.DashboardFiles;
import dashboard.Problem;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.dataformat.JsonLibrary;
import settings.PipelineSettings;

/**
 * The dashboard, on the pipeline's HTTP server (flightcdc.http.*): its page and files, and the JSON it reads every few
 * seconds, all GET and all read-only. The map reads the warehouse's current state and an aircraft's history; the
 * pipeline view, the readings a timer takes of the pipeline's meters; the console runs a query within the warehouse's
 * read-only fence. What each endpoint calls is in the dashboard package; docs/dashboard.md says what the page shows.
 * Nothing of it is built when the server is off, nor in a process that loads no warehouse.
 */
public class DashboardRoute extends RouteBuilder {

    public static final String PAGE_ROUTE_ID = "dashboard-page";
    public static final String FILES_ROUTE_ID = "dashboard-files";
    public static final String AIRCRAFT_ROUTE_ID = "dashboard-aircraft";
    public static final String TRACK_ROUTE_ID = "dashboard-track";
    public static final String PIPELINE_ROUTE_ID = "dashboard-pipeline";
    public static final String SET_ASIDE_ROUTE_ID = "dashboard-set-aside";
    public static final String CONSOLE_ROUTE_ID = "dashboard-console";
    public static final String CONSOLE_QUERY_ROUTE_ID = "dashboard-console-query";
    public static final String CONSOLE_CSV_ROUTE_ID = "dashboard-console-csv";
    public static final String SAMPLE_ROUTE_ID = "dashboard-sample";

    /** The bean names app/DashboardConfiguration binds. */
    public static final String FILES = "dashboardFiles";
    public static final String AIRCRAFT = "aircraftPositions";
    public static final String TRACKS = "tracks";
    public static final String TIMELINE = "pipelineTimeline";
    public static final String SET_ASIDE = "setAside";
    public static final String CONSOLE = "readOnlyConsole";

    @BeanInject
    PipelineSettings settings;

    @Override
    public void configure() {
        if (!settings.servesDashboard()) {
            return;
        }
        // What the page shows instead of data: the console's refusals and cancellations, a file that is not there, a
        // warehouse that cannot be read. Never a stack trace, nor the request's headers (see json).
        onException(ConsoleException.class)
                .handled(true)
                .removeHeaders("*")
                .setHeader(Exchange.HTTP_RESPONSE_CODE, simple("${exception.status()}"))
                .setBody(simple("${exception.problem()}"))
                .marshal().json(JsonLibrary.Jackson);
        onException(DashboardFiles.NoSuchFileException.class)
                .handled(true)
                .removeHeaders("*")
                .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(404))
                .setHeader(Exchange.CONTENT_TYPE, constant("text/plain; charset=utf-8"))
                .setBody(simple("${exception.message}"));
        onException(Exception.class)
                .handled(true)
                .log(LoggingLevel.WARN, "dashboard", "${routeId}: ${exception.message}")
                .removeHeaders("*")
                .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(503))
                .setBody(method(Problem.class, "unavailable(${exception})"))
                .marshal().json(JsonLibrary.Jackson);

        file(from(get("/")).routeId(PAGE_ROUTE_ID)
                .bean(FILES, "page"));
        file(from(get("/" + DashboardFiles.FOLDER + "?matchOnUriPrefix=true")).routeId(FILES_ROUTE_ID)
                .setBody(header(Exchange.HTTP_PATH))
                .bean(FILES, "file"));

        json(from(get("/api/aircraft")).routeId(AIRCRAFT_ROUTE_ID)
                .bean(AIRCRAFT, "now"));
        json(from(get("/api/aircraft/{icao24}/track")).routeId(TRACK_ROUTE_ID)
                .setBody(header("icao24"))
                .bean(TRACKS, "of"));
        json(from(get("/api/pipeline")).routeId(PIPELINE_ROUTE_ID)
                .bean(TIMELINE, "view"));
        json(from(get("/api/set-aside")).routeId(SET_ASIDE_ROUTE_ID)
                .bean(SET_ASIDE, "now"));
        json(from(get("/api/console")).routeId(CONSOLE_ROUTE_ID)
                .bean(CONSOLE, "offer"));
        json(from(get("/api/console/query")).routeId(CONSOLE_QUERY_ROUTE_ID)
                .setBody(header("sql"))
                .bean(CONSOLE, "query"));
        from(get("/api/console/csv")).routeId(CONSOLE_CSV_ROUTE_ID)
                .setBody(header("sql"))
                .bean(CONSOLE, "csv")
                .removeHeaders("*")
                .setHeader(Exchange.CONTENT_TYPE, constant("text/csv; charset=utf-8"))
                .setHeader("Content-Disposition", constant("attachment; filename=\"query.csv\""));

        // The pipeline view's readings, kept in memory for the last flightcdc.http.timeline-minutes.
        from("timer:" + SAMPLE_ROUTE_ID + "?period={{flightcdc.http.sample-interval-ms}}")
                .routeId(SAMPLE_ROUTE_ID)
                .bean(TIMELINE, "sample");
    }

    /** An endpoint of the dashboard's: GET only, and its failures answered by the handlers above. */
    private static String get(String path) {
        return "platform-http:" + path + (path.contains("?") ? "&" : "?") + "httpMethodRestrict=GET&muteException=true";
    }

    /**
     * The body as JSON. Nothing of the request goes back with it: platform-http answers with the exchange's headers,
     * which hold the request's own headers and query parameters (the console's SQL among them).
     */
    private static void json(RouteDefinition route) {
        route.removeHeaders("*").marshal().json(JsonLibrary.Jackson);
    }

    /** A file's bytes with its content type; the browser asks again each time, so a new release shows at once. */
    private void file(RouteDefinition route) {
        route.removeHeaders("*")
                .setHeader(Exchange.CONTENT_TYPE, simple("${body.contentType()}"))
                .setHeader("Cache-Control", constant("no-cache"))
                .transform(simple("${body.bytes()}"));
    }
}
