package bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import opensky.StateVector;
import opensky.StatesResponse;

/**
 * A global OpenSky poll of made-up aircraft, every field filled as a real airborne aircraft's would be,
 * and the next poll five seconds later in which every aircraft has moved.
 */
public final class SyntheticPoll {

    private static final long SECONDS_BETWEEN_POLLS = 5;

    private SyntheticPoll() {
    }

    public static StatesResponse of(int aircraft, long time, Random random) {
        List<StateVector> states = new ArrayList<>(aircraft);
        for (int i = 0; i < aircraft; i++) {
            double altitude = 9_000 + random.nextDouble() * 3_000;
            states.add(new StateVector(String.format("%06x", 0x300000 + i), String.format("%-8s", "BEN" + i % 10_000),
                    "Germany", time - 1, time, random.nextDouble() * 360 - 180, random.nextDouble() * 160 - 80,
                    altitude, false, 200 + random.nextDouble() * 60, random.nextDouble() * 360, 0.0, null,
                    altitude + 50, String.format("%04o", random.nextInt(010000)), false, 0, 1 + random.nextInt(20)));
        }
        return new StatesResponse(time, states, List.of());
    }

    /** The poll after {@code poll}: every aircraft a few seconds further along its track. */
    public static StatesResponse next(StatesResponse poll) {
        long time = poll.time() + SECONDS_BETWEEN_POLLS;
        List<StateVector> moved = poll.states().stream().map(v -> {
            double step = v.velocity() * SECONDS_BETWEEN_POLLS / 111_000; // degrees, roughly
            double track = Math.toRadians(v.trueTrack());
            return new StateVector(v.icao24(), v.callsign(), v.originCountry(), time - 1, time,
                    wrapLongitude(v.longitude() + step * Math.sin(track)),
                    Math.max(-90, Math.min(90, v.latitude() + step * Math.cos(track))), v.baroAltitude(),
                    v.onGround(), v.velocity(), v.trueTrack(), v.verticalRate(), v.sensors(), v.geoAltitude(),
                    v.squawk(), v.spi(), v.positionSource(), v.category());
        }).toList();
        return new StatesResponse(time, moved, List.of());
    }

    private static double wrapLongitude(double longitude) {
        return longitude > 180 ? longitude - 360 : longitude < -180 ? longitude + 360 : longitude;
    }
}
