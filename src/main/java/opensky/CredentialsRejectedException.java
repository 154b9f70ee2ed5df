package opensky;

/** OpenSky's token endpoint refused the configured client id and secret: retrying will not help until they change. */
public class CredentialsRejectedException extends RuntimeException {

    public CredentialsRejectedException(String message) {
        super(message);
    }
}
