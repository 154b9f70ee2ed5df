package opensky;

import java.util.Locale;

/**
 * OpenSky's optional area filter: lamin, lomin, lamax, lomax in decimal degrees. Its area sets what a
 * {@code /states/all} call costs in API credits, so the poll's budget follows from it.
 */
public record BoundingBox(double lamin, double lomin, double lamax, double lomax) {

    public BoundingBox {
        if (lamin < -90 || lamax > 90 || lomin < -180 || lomax > 180) {
            throw new IllegalArgumentException("latitudes must lie within -90..90 and longitudes within -180..180");
        }
        if (lamin >= lamax || lomin >= lomax) {
            throw new IllegalArgumentException("lamin must be below lamax and lomin below lomax");
        }
    }

    /** Parses {@code lamin,lomin,lamax,lomax}, the order of OpenSky's query parameters. */
    public static BoundingBox parse(String text) {
        String[] parts = text.split(",");
        if (parts.length != 4) {
            throw new IllegalArgumentException("must be four numbers lamin,lomin,lamax,lomax, got '" + text + "'");
        }
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be four numbers lamin,lomin,lamax,lomax, got '" + text + "'");
            }
        }
        return new BoundingBox(v[0], v[1], v[2], v[3]);
    }

    public boolean contains(double latitude, double longitude) {
        return latitude >= lamin && latitude <= lamax && longitude >= lomin && longitude <= lomax;
    }

    /** In square degrees, the unit of OpenSky's credit tiers. */
    public double area() {
        return (lamax - lamin) * (lomax - lomin);
    }

    /** The box as {@code /states/all} query parameters. */
    public String query() {
        return String.format(Locale.ROOT, "lamin=%s&lomin=%s&lamax=%s&lomax=%s", lamin, lomin, lamax, lomax);
    }
}
