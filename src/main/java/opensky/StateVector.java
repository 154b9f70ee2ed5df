package opensky;

import java.util.List;

/**
 * One OpenSky state vector, typed. Times are epoch seconds as OpenSky sends them; every field
 * but {@code icao24} may be null, exactly as in the API.
 */
public record StateVector(
        String icao24,
        String callsign,
        String originCountry,
        Long timePosition,
        Long lastContact,
        Double longitude,
        Double latitude,
        Double baroAltitude,
        Boolean onGround,
        Double velocity,
        Double trueTrack,
        Double verticalRate,
        List<Integer> sensors,
        Double geoAltitude,
        String squawk,
        Boolean spi,
        Integer positionSource,
        Integer category) {
}
