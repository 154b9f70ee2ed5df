package app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import settings.PipelineSettings;
import settings.StartupException;

/**
 * The health answer of a standby (FailoverConfiguration), on the address the pipeline's own server takes once it
 * leads: alive, and not ready, saying who leads. Camel's server starts only with the pipeline, after the lead is won,
 * and an orchestrator that heard nothing from a standby would take it for dead. The JDK's HTTP server is enough for
 * these two answers, and is gone before Camel's binds the port.
 */
final class StandbyHealth implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;

    private StandbyHealth(HttpServer server) {
        this.server = server;
    }

    static StandbyHealth serve(PipelineSettings.Http http, Supplier<String> waiting) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(http.host(), http.port()), 0);
            server.createContext("/observe/health/live", exchange -> answer(exchange, 200, Map.of("status", "UP")));
            // Every other path, readiness and the dashboard's included: not yet.
            server.createContext("/", exchange -> answer(exchange, 503, Map.of("status", "DOWN", "checks",
                    List.of(Map.of("name", "lead", "status", "DOWN", "message", waiting.get())))));
            server.start();
            return new StandbyHealth(server);
        } catch (IOException e) {
            throw new StartupException("Cannot answer health checks at " + http.url() + " while standing by: " + e.getMessage()
                    + ". Fix: set flightcdc.http.port to a free one, or flightcdc.http.enabled=false", e);
        }
    }

    private static void answer(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        byte[] json = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
