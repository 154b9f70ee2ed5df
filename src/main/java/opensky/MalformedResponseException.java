package opensky;

/** The OpenSky response as a whole is unusable (not JSON, wrong shape); no vector of it is written. */
public class MalformedResponseException extends RuntimeException {

    public MalformedResponseException(String message) {
        super(message);
    }
}
