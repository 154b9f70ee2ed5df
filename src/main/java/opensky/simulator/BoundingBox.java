package opensky.simulator;

/** OpenSky's optional area filter: lamin, lomin, lamax, lomax in decimal degrees. */
public record BoundingBox(double lamin, double lomin, double lamax, double lomax) {

    public boolean contains(double latitude, double longitude) {
        return latitude >= lamin && latitude <= lamax && longitude >= lomin && longitude <= lomax;
    }
}
