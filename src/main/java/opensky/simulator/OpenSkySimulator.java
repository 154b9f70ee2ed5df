package opensky.simulator;

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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import opensky.BoundingBox;
import opensky.ClientCredentials;
import opensky.CreditBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.StartupException;

/**
 * Serves {@link AirTrafficModel} over HTTP exactly where and how OpenSky serves its data:
 * {@code GET /api/states/all} with the optional bounding box and {@code extended=1}. The poll
 * route cannot tell it from the real API, so the real HTTP path is what runs on a laptop.
 *
 * <p>It keeps OpenSky's rules too: each call costs credits by the box's area, counted down in
 * {@code X-Rate-Limit-Remaining}, and once they are spent it answers 429 with
 * {@code X-Rate-Limit-Retry-After-Seconds} until they renew at midnight UTC. Given credentials, it
 * issues OAuth2 tokens at OpenSky's token path and answers 401 to a call without a valid one. Tests
 * make it misbehave on demand through {@link #faults()}.
 */
public final class OpenSkySimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpenSkySimulator.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final String STATES_PATH = "/api/states/all";
    /** OpenSky's Keycloak realm path, so a token URL differs from the real one only in host and port. */
    public static final String TOKEN_PATH = "/auth/realms/opensky-network/protocol/openid-connect/token";
    /** OpenSky's tokens live 30 minutes. */
    private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(30);
    /** Unless a test sets a budget, enough for a day of global polls several times a second: a laptop run never hits 429. */
    public static final long DEFAULT_DAILY_CREDITS = 10_000_000;

    /** What /states/all answers at a moment: the simulated traffic, or a recorded session. */
    private final StatesFeed feed;
    private final Clock clock;
    private final Faults faults = new Faults();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final AtomicLong statesCalls = new AtomicLong();
    private volatile Optional<ClientCredentials> credentials = Optional.empty();
    private long dailyCredits = DEFAULT_DAILY_CREDITS;
    private long remainingCredits = DEFAULT_DAILY_CREDITS;
    private LocalDate creditDay;
    private long tokensIssued;
    private HttpServer server;
    private ExecutorService executor;

    public OpenSkySimulator(AirTrafficModel model, Clock clock) {
        this(new StatesFeed() {
            @Override
            public byte[] states(Instant now, BoundingBox box, boolean extended) throws IOException {
                List<Object[]> states;
                synchronized (model) {
                    model.advanceTo(now);
                    states = model.states(box, extended);
                }
                return json(now.getEpochSecond(), states);
            }

            @Override
            public String toString() {
                return model.size() + " simulated aircraft";
            }
        }, clock);
    }

    private OpenSkySimulator(StatesFeed feed, Clock clock) {
        this.feed = feed;
        this.clock = clock;
    }

    /**
     * Serves a recorded session again, each response when it is due at the pace it was recorded, from the
     * first call on; with the same HTTP, auth and rate-limit behaviour as the simulated traffic. The
     * recording's own bounding box and extended flag hold: the request's are not applied to it.
     */
    public static OpenSkySimulator replaying(Recording recording, Clock clock) {
        return new OpenSkySimulator(new StatesFeed() {
            private Instant first;
            private int lastServed = -1;

            @Override
            public synchronized byte[] states(Instant now, BoundingBox box, boolean extended) {
                if (first == null) {
                    first = now;
                }
                int index = recording.indexAt(Duration.between(first, now));
                if (index == recording.size() - 1 && lastServed < index) {
                    LOG.info("Replay reached its last recorded response; it is served from now on");
                }
                lastServed = index;
                return recording.body(index);
            }

            @Override
            public String toString() {
                return "a recorded session of " + recording.size() + " responses over " + recording.length()
                        .toSeconds() + " s";
            }
        }, clock);
    }

    /** What the simulator answers to /states/all at a moment. */
    private interface StatesFeed {
        byte[] states(Instant now, BoundingBox box, boolean extended) throws IOException;
    }

    /** Requires a bearer token issued to these credentials on every call; without, the simulator is open to all. */
    public OpenSkySimulator requireCredentials(ClientCredentials client) {
        this.credentials = Optional.of(client);
        return this;
    }

    /** Limits the calls to this many credits a day, as OpenSky limits an account. */
    public synchronized OpenSkySimulator dailyCredits(long credits) {
        this.dailyCredits = credits;
        this.remainingCredits = credits;
        this.creditDay = null;
        return this;
    }

    /** Faults to show on the next calls. */
    public Faults faults() {
        return faults;
    }

    /** Revokes every token issued so far, as if they had expired: the next call with one gets 401. */
    public void expireTokens() {
        tokens.clear();
    }

    /** Tokens issued since start. */
    public synchronized long tokensIssued() {
        return tokensIssued;
    }

    /** {@code /states/all} calls received since start, answered or not. */
    public long statesCalls() {
        return statesCalls.get();
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
        LOG.info("OpenSky simulator serving {} at {}/states/all", feed, baseUrl());
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

    /** The token endpoint's URL, as {@code flightcdc.opensky.token-url} expects it. */
    public String tokenUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + port() + TOKEN_PATH;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (TOKEN_PATH.equals(path) && "POST".equals(method)) {
                issueToken(exchange);
            } else if (STATES_PATH.equals(path) && "GET".equals(method)) {
                statesCalls.incrementAndGet();
                Fault fault = faults.take().orElse(null);
                if (fault instanceof Fault.Slow slow) {
                    Thread.sleep(slow.delay().toMillis());
                    serveStates(exchange);
                } else if (fault != null) {
                    showFault(exchange, fault);
                } else {
                    serveStates(exchange);
                }
            } else if (TOKEN_PATH.equals(path) || STATES_PATH.equals(path)) {
                text(exchange, 405, "Method not allowed");
            } else {
                text(exchange, 404, "Not found");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the slow answer is not sent
        }
    }

    private void serveStates(HttpExchange exchange) throws IOException {
        if (credentials.isPresent() && !validToken(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            text(exchange, 401, "Unauthorized");
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        BoundingBox box;
        try {
            box = boundingBox(query);
        } catch (IllegalArgumentException e) {
            text(exchange, 400, e.getMessage());
            return;
        }
        Instant now = clock.instant();
        OptionalLong remaining = charge(CreditBudget.costOf(Optional.ofNullable(box)), now);
        if (remaining.isEmpty()) {
            exchange.getResponseHeaders().set("X-Rate-Limit-Retry-After-Seconds", String.valueOf(secondsToRenewal(now)));
            text(exchange, 429, "Too many requests");
            return;
        }
        byte[] body = feed.states(now, box, "1".equals(query.get("extended")));
        exchange.getResponseHeaders().set("X-Rate-Limit-Remaining", String.valueOf(remaining.getAsLong()));
        reply(exchange, 200, "application/json", body);
    }

    /** Takes the call's cost from today's credits; empty when they do not cover it. */
    private synchronized OptionalLong charge(int cost, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (!today.equals(creditDay)) {
            creditDay = today;
            remainingCredits = dailyCredits;
        }
        if (remainingCredits < cost) {
            return OptionalLong.empty();
        }
        remainingCredits -= cost;
        return OptionalLong.of(remainingCredits);
    }

    private static long secondsToRenewal(Instant now) {
        Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return Math.max(1, Duration.between(now, midnight).toSeconds());
    }

    private boolean validToken(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        Instant expires = tokens.get(authorization.substring("Bearer ".length()));
        return expires != null && clock.instant().isBefore(expires);
    }

    private void issueToken(HttpExchange exchange) throws IOException {
        Map<String, String> form = query(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (!"client_credentials".equals(form.get("grant_type"))) {
            reply(exchange, 400, "application/json", "{\"error\":\"unsupported_grant_type\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        ClientCredentials given = new ClientCredentials(form.get("client_id"), form.get("client_secret"));
        if (credentials.isEmpty() || !credentials.get().equals(given)) {
            reply(exchange, 401, "application/json", "{\"error\":\"invalid_client\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String token = UUID.randomUUID().toString();
        tokens.put(token, clock.instant().plus(TOKEN_LIFETIME));
        synchronized (this) {
            tokensIssued++;
        }
        reply(exchange, 200, "application/json", ("{\"access_token\":\"" + token + "\",\"expires_in\":"
                + TOKEN_LIFETIME.toSeconds() + ",\"token_type\":\"Bearer\"}").getBytes(StandardCharsets.UTF_8));
    }

    private void showFault(HttpExchange exchange, Fault fault) throws IOException {
        if (fault instanceof Fault.Status status) {
            text(exchange, status.code(), "Injected fault " + status.code());
        } else if (fault instanceof Fault.RateLimited limited) {
            exchange.getResponseHeaders().set("X-Rate-Limit-Retry-After-Seconds", String.valueOf(limited.retryAfterSeconds()));
            text(exchange, 429, "Too many requests");
        } else if (fault instanceof Fault.MalformedBody malformed) {
            reply(exchange, 200, "application/json", malformed.body().getBytes(StandardCharsets.UTF_8));
        } else {
            throw new IllegalStateException("unexpected fault " + fault);
        }
    }

    private static void text(HttpExchange exchange, int status, String body) throws IOException {
        reply(exchange, status, "text/plain", body.getBytes(StandardCharsets.UTF_8));
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
