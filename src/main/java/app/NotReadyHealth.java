package app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import settings.PipelineSettings;
import settings.StartupException;

/**
 * The health answer of a pipeline that is alive but not running yet, on the address its own server takes once it runs:
 * alive, and not ready, saying what it waits for. Camel's server starts only with the pipeline, and an orchestrator
 * that heard nothing would take the process for dead and replace it: a standby (FailoverConfiguration) until it leads,
 * and a first start taking its direct snapshot (CaptureConfiguration), which would begin again from nothing. The
 * pipeline's meters are served too, where Camel's metrics publish them: a snapshot's progress, the JVM's memory. The
 * JDK's HTTP server is enough for these answers, and is gone before Camel's binds the port.
 */
final class NotReadyHealth implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;

    private NotReadyHealth(HttpServer server) {
        this.server = server;
    }

    /**
     * @param check the name of the check that is down, as readiness lists it
     * @param waiting what the pipeline waits for, asked at each request
     * @param during what it is doing, for the error when the address cannot be served
     * @param meters the pipeline's meters in Prometheus's text format, served at /observe/metrics, where they are published
     */
    static NotReadyHealth serve(PipelineSettings.Http http, String check, Supplier<String> waiting, String during,
                                Optional<Supplier<String>> meters) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(http.host(), http.port()), 0);
            server.createContext("/observe/health/live", exchange -> answer(exchange, 200, new Alive("UP")));
            meters.ifPresent(text -> server.createContext("/observe/metrics", exchange -> send(exchange, 200,
                    PROMETHEUS_TEXT, text.get().getBytes(StandardCharsets.UTF_8))));
            // Every other path, readiness and the dashboard's included: not yet.
            server.createContext("/", exchange -> answer(exchange, 503, new NotReady("DOWN",
                    List.of(new Check(check, "DOWN", waiting.get())))));
            server.start();
            return new NotReadyHealth(server);
        } catch (IOException e) {
            throw new StartupException("Cannot answer health checks at " + http.url() + " while " + during + ": "
                    + e.getMessage() + ". Fix: set flightcdc.http.port to a free one, or flightcdc.http.enabled=false", e);
        }
    }

    /** The answers, in the shape of Camel's health checks: records, so that the fields keep their order. */
    private record Alive(String status) {
    }

    private record NotReady(String status, List<Check> checks) {
    }

    private record Check(String name, String status, String message) {
    }

    private static void answer(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json", JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
