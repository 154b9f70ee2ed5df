package opensky;

/**
 * An OpenSky API client's OAuth2 credentials. {@link #toString()} leaves the secret out: the
 * settings that hold them are bound in Camel's registry and may be printed.
 */
public record ClientCredentials(String clientId, String clientSecret) {

    @Override
    public String toString() {
        return "ClientCredentials[clientId=" + clientId + ", clientSecret=(hidden)]";
    }
}
