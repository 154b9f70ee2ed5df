package opensky.simulator;

import app.StartupException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link AirTrafficModel} over HTTP exactly where and how OpenSky serves its data:
 * {@code GET /api/states/all} with the optional bounding box and {@code extended=1}. The poll
 * route cannot tell it from the real API, so the real HTTP path is what runs on a laptop.
 */
public final class OpenSkySimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpenSkySimulator.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final String STATES_PATH = "/api/states/all";

    private final AirTrafficModel model;
    private final Clock clock;
    private HttpServer server;
    private ExecutorService executor;

    public OpenSkySimulator(AirTrafficModel model, Clock clock) {
        this.model = model;
        this.clock = clock;
    }

    /** Starts serving on {@code host:port}; port 0 picks a free port. */
    public void start(String host, int port) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new StartupException("Could not start the OpenSky simulator on " + host + ":" + port
                    + " (is the port in use? set flightcdc.simulator.port)", e);
        }
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "opensky-simulator");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        LOG.info("OpenSky simulator serving {} aircraft at {}/states/all", model.size(), baseUrl());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The API base, as the poll route's {@code flightcdc.opensky.base-url} expects it. */
    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + port() + "/api";
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            LOG.info("OpenSky simulator stopped");
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!STATES_PATH.equals(exchange.getRequestURI().getPath())) {
                reply(exchange, 404, "text/plain", "Not found".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, "text/plain", "Method not allowed".getBytes(StandardCharsets.UTF_8));
                return;
            }
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            BoundingBox box;
            try {
                box = boundingBox(query);
            } catch (IllegalArgumentException e) {
                reply(exchange, 400, "text/plain", e.getMessage().getBytes(StandardCharsets.UTF_8));
                return;
            }
            boolean extended = "1".equals(query.get("extended"));
            Instant now = clock.instant();
            List<Object[]> states;
            synchronized (model) {
                model.advanceTo(now);
                states = model.states(box, extended);
            }
            reply(exchange, 200, "application/json", json(now.getEpochSecond(), states));
        }
    }

    private static byte[] json(long time, List<Object[]> states) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(states.size() * 160 + 64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("time", time);
            g.writeFieldName("states");
            if (states.isEmpty()) {
                g.writeNull(); // OpenSky sends null, not [], when no aircraft match
            } else {
                g.writeStartArray();
                for (Object[] s : states) {
                    g.writeStartArray();
                    for (Object field : s) {
                        writeField(g, field);
                    }
                    g.writeEndArray();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static void writeField(JsonGenerator g, Object field) throws IOException {
        if (field == null) {
            g.writeNull();
        } else if (field instanceof String s) {
            g.writeString(s);
        } else if (field instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (field instanceof Double d) {
            g.writeNumber(d);
        } else if (field instanceof Long l) {
            g.writeNumber(l);
        } else if (field instanceof Integer i) {
            g.writeNumber(i);
        } else {
            throw new IllegalStateException("unexpected state field " + field.getClass());
        }
    }

    private static void reply(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Rate-Limit-Remaining", "4000");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    private static BoundingBox boundingBox(Map<String, String> query) {
        String[] names = {"lamin", "lomin", "lamax", "lomax"};
        int given = 0;
        double[] values = new double[4];
        for (int i = 0; i < names.length; i++) {
            String raw = query.get(names[i]);
            if (raw == null) {
                continue;
            }
            given++;
            try {
                values[i] = Double.parseDouble(raw);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid value for " + names[i] + ": " + raw);
            }
        }
        if (given == 0) {
            return null;
        }
        if (given < 4) {
            throw new IllegalArgumentException("A bounding box needs lamin, lomin, lamax and lomax");
        }
        return new BoundingBox(values[0], values[1], values[2], values[3]);
    }
}
