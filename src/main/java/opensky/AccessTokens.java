package opensky;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth2 access tokens for the OpenSky API, from the client-credentials grant. The token is cached
 * and fetched again a margin before it expires, so a poll never goes out with a token that lapses in
 * flight; after a 401 the poll gate {@linkplain #invalidate() invalidates} it and the next poll
 * fetches a new one. Without credentials the API is used anonymously and there is no token.
 */
public final class AccessTokens {

    private static final Logger LOG = LoggerFactory.getLogger(AccessTokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fetch a new token this long before the current one expires. */
    static final Duration REFRESH_MARGIN = Duration.ofSeconds(60);

    private final Optional<ClientCredentials> credentials;
    private final URI tokenUrl;
    private final Clock clock;
    private final Duration timeout;
    private final HttpClient http;
    private String token;
    private Instant refreshAt = Instant.MIN;
    private long fetched;

    public AccessTokens(Optional<ClientCredentials> credentials, URI tokenUrl, Clock clock, Duration timeout) {
        this.credentials = credentials;
        this.tokenUrl = tokenUrl;
        this.clock = clock;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** True when the API is used with credentials, so each poll carries a bearer token. */
    public boolean configured() {
        return credentials.isPresent();
    }

    /** The {@code Authorization} header value, fetching a token first if there is none or it is about to expire. */
    public synchronized String authorization() throws IOException, InterruptedException {
        ClientCredentials client = credentials.orElseThrow(() -> new IllegalStateException("no OpenSky credentials configured"));
        if (token == null || !clock.instant().isBefore(refreshAt)) {
            fetch(client);
        }
        return "Bearer " + token;
    }

    /** Forgets the token after the API refused it: the next poll fetches a new one. */
    public synchronized void invalidate() {
        token = null;
    }

    /** Tokens fetched since startup. */
    public synchronized long fetched() {
        return fetched;
    }

    private void fetch(ClientCredentials client) throws IOException, InterruptedException {
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(client.clientId(), StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(client.clientSecret(), StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(tokenUrl).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        Instant requested = clock.instant();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        // Keycloak answers 401 (invalid_client) or 400 (unauthorized_client) to wrong credentials.
        if (status == 400 || status == 401) {
            throw new CredentialsRejectedException("OpenSky's token endpoint " + tokenUrl + " refused client '"
                    + client.clientId() + "' (" + status + "): check FLIGHTCDC_OPENSKY_CLIENT_ID and FLIGHTCDC_OPENSKY_CLIENT_SECRET");
        }
        if (status != 200) {
            throw new IOException("OpenSky's token endpoint " + tokenUrl + " answered " + status);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IOException("OpenSky's token endpoint answered with a body that is not JSON");
        }
        JsonNode accessToken = body.path("access_token");
        JsonNode expiresIn = body.path("expires_in");
        if (!accessToken.isTextual() || !expiresIn.canConvertToLong()) {
            throw new IOException("OpenSky's token endpoint answered without access_token and expires_in");
        }
        token = accessToken.asText();
        // Counted from the request, not the answer: the token's lifetime started no later than that.
        Duration lifetime = Duration.ofSeconds(expiresIn.asLong());
        refreshAt = requested.plus(lifetime.compareTo(REFRESH_MARGIN.multipliedBy(2)) > 0
                ? lifetime.minus(REFRESH_MARGIN) : lifetime.dividedBy(2));
        fetched++;
        LOG.info("Fetched an OpenSky access token for client '{}', valid for {} s", client.clientId(), lifetime.toSeconds());
    }
}
