package opensky.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import opensky.BoundingBox;

/**
 * A deterministic world of aircraft for the OpenSky simulator. Aircraft taxi, climb, cruise,
 * descend and land; some then depart again and some disappear, replaced by newcomers, so a poller
 * sees inserts, updates and deletes. Field semantics follow OpenSky: no altitude on the ground,
 * occasional missing callsign, squawk or position, rare emergency squawks, and some aircraft that
 * send nothing new in a given tick. The same seed and the same sequence of calls give the same states.
 */
public final class AirTrafficModel {

    /** Longest step simulated at once: a poller that was away for an hour does not teleport the fleet. */
    private static final double MAX_STEP_SECONDS = 60;
    private static final double METRES_PER_DEGREE = 111_320;

    private record Registry(String country, int icaoFrom, int icaoTo, String[] airlines) {
    }

    private static final Registry[] REGISTRIES = {
        new Registry("United States", 0xa00000, 0xafffff, new String[] {"UAL", "DAL", "AAL", "SWA", "JBU"}),
        new Registry("Germany", 0x3c0000, 0x3fffff, new String[] {"DLH", "EWG", "CFG"}),
        new Registry("United Kingdom", 0x400000, 0x43ffff, new String[] {"BAW", "EZY", "VIR"}),
        new Registry("France", 0x380000, 0x3bffff, new String[] {"AFR", "TVF"}),
        new Registry("Ireland", 0x4ca000, 0x4cafff, new String[] {"RYR", "EIN"}),
        new Registry("Switzerland", 0x4b0000, 0x4b7fff, new String[] {"SWR", "EDW"}),
        new Registry("Spain", 0x340000, 0x37ffff, new String[] {"IBE", "VLG"}),
        new Registry("China", 0x780000, 0x7bffff, new String[] {"CCA", "CES", "CSN"}),
        new Registry("Japan", 0x840000, 0x87ffff, new String[] {"JAL", "ANA"}),
        new Registry("India", 0x800000, 0x83ffff, new String[] {"AIC", "IGO"}),
        new Registry("Canada", 0xc00000, 0xc3ffff, new String[] {"ACA", "WJA"}),
        new Registry("Brazil", 0xe40000, 0xe7ffff, new String[] {"TAM", "GLO"}),
        new Registry("Australia", 0x7c0000, 0x7fffff, new String[] {"QFA", "VOZ"}),
    };

    private enum Phase { TAXI, CLIMB, CRUISE, DESCENT, LANDED }

    private static final class Aircraft {
        String icao24;
        String callsign;
        String country;
        double latitude;
        double longitude;
        double altitude;
        double velocity;
        double track;
        double verticalRate;
        double cruiseAltitude;
        double phaseSecondsLeft;
        Phase phase;
        String squawk;
        boolean hasPosition;
        int positionSource;
        int category;
        long lastContact;
        long timePosition;
        boolean departsAgain;
    }

    private final SplittableRandom random;
    private final int targetSize;
    private final List<Aircraft> fleet = new ArrayList<>();
    private final Set<String> icaoInUse = new HashSet<>();
    private Instant simulatedTime;

    public AirTrafficModel(int aircraftCount, long seed, Instant start) {
        this.random = new SplittableRandom(seed);
        this.targetSize = aircraftCount;
        this.simulatedTime = start;
        for (int i = 0; i < aircraftCount; i++) {
            fleet.add(newAircraft(start.getEpochSecond(), true));
        }
    }

    public int size() {
        return fleet.size();
    }

    /** Moves the world forward to {@code now}; a time in the past changes nothing. */
    public void advanceTo(Instant now) {
        double seconds = (now.toEpochMilli() - simulatedTime.toEpochMilli()) / 1000.0;
        if (seconds <= 0) {
            return;
        }
        simulatedTime = now;
        double dt = Math.min(seconds, MAX_STEP_SECONDS);
        long epoch = now.getEpochSecond();
        List<Aircraft> gone = new ArrayList<>();
        for (Aircraft a : fleet) {
            if (random.nextDouble() < 0.03) {
                continue; // nothing received from this transponder in this tick
            }
            if (step(a, dt)) {
                gone.add(a);
                continue;
            }
            a.lastContact = epoch;
            if (a.hasPosition) {
                a.timePosition = epoch;
            }
        }
        for (Aircraft a : gone) {
            fleet.remove(a);
            icaoInUse.remove(a.icao24);
        }
        while (fleet.size() < targetSize) {
            fleet.add(newAircraft(epoch, false));
        }
    }

    /** The state vectors as OpenSky's {@code /states/all} lists them (18 fields with extended, else 17). */
    public List<Object[]> states(BoundingBox box, boolean extended) {
        List<Object[]> states = new ArrayList<>(fleet.size());
        for (Aircraft a : fleet) {
            if (box != null && !box.contains(a.latitude, a.longitude)) {
                continue;
            }
            boolean onGround = a.phase == Phase.TAXI || a.phase == Phase.LANDED;
            Object[] s = new Object[extended ? 18 : 17];
            s[0] = a.icao24;
            s[1] = a.callsign;
            s[2] = a.country;
            s[3] = a.hasPosition ? a.timePosition : null;
            s[4] = a.lastContact;
            s[5] = a.hasPosition ? round(a.longitude, 4) : null;
            s[6] = a.hasPosition ? round(a.latitude, 4) : null;
            s[7] = onGround ? null : round(a.altitude, 2);
            s[8] = onGround;
            s[9] = round(a.velocity, 2);
            s[10] = round(a.track, 2);
            s[11] = onGround ? null : round(a.verticalRate, 2);
            s[12] = null;
            s[13] = onGround ? null : round(a.altitude + 30 + (a.icao24.hashCode() % 50), 2);
            s[14] = a.squawk;
            s[15] = false;
            s[16] = a.positionSource;
            if (extended) {
                s[17] = a.category;
            }
            states.add(s);
        }
        return states;
    }

    /** Advances one aircraft; returns true when it leaves the simulation. */
    private boolean step(Aircraft a, double dt) {
        a.phaseSecondsLeft -= dt;
        switch (a.phase) {
            case TAXI -> {
                if (a.phaseSecondsLeft <= 0) {
                    a.phase = Phase.CLIMB;
                    a.velocity = 80;
                    a.verticalRate = 8 + random.nextDouble() * 7;
                }
            }
            case CLIMB -> {
                a.velocity = Math.min(a.velocity + 2 * dt, 230 + random.nextDouble() * 20);
                a.altitude += a.verticalRate * dt;
                if (a.altitude >= a.cruiseAltitude) {
                    a.altitude = a.cruiseAltitude;
                    a.phase = Phase.CRUISE;
                    a.verticalRate = 0;
                    a.phaseSecondsLeft = 600 + random.nextDouble() * 7200;
                }
            }
            case CRUISE -> {
                a.track = (a.track + (random.nextDouble() - 0.5) * 0.5 * dt / 5 + 360) % 360;
                if (a.phaseSecondsLeft <= 0) {
                    a.phase = Phase.DESCENT;
                    a.verticalRate = -(5 + random.nextDouble() * 5);
                }
            }
            case DESCENT -> {
                a.velocity = Math.max(a.velocity - 0.5 * dt, 75);
                a.altitude += a.verticalRate * dt;
                if (a.altitude <= 0) {
                    a.altitude = 0;
                    a.verticalRate = 0;
                    a.phase = Phase.LANDED;
                    a.velocity = 15;
                    a.phaseSecondsLeft = 120 + random.nextDouble() * 600;
                    a.departsAgain = random.nextDouble() < 0.3;
                }
            }
            case LANDED -> {
                a.velocity = Math.max(0, a.velocity - dt);
                if (a.phaseSecondsLeft <= 0) {
                    if (!a.departsAgain) {
                        return true;
                    }
                    startTaxi(a);
                }
            }
        }
        move(a, dt);
        return false;
    }

    private static void move(Aircraft a, double dt) {
        double metres = a.velocity * dt;
        double rad = Math.toRadians(a.track);
        a.latitude += metres * Math.cos(rad) / METRES_PER_DEGREE;
        if (Math.abs(a.latitude) > 85) {
            a.latitude = Math.copySign(85, a.latitude);
            a.track = (540 - a.track) % 360; // turn back from the pole
        }
        a.longitude += metres * Math.sin(rad) / (METRES_PER_DEGREE * Math.cos(Math.toRadians(a.latitude)));
        a.longitude = ((a.longitude + 540) % 360) - 180;
    }

    private Aircraft newAircraft(long epoch, boolean anyPhase) {
        Registry registry = REGISTRIES[random.nextInt(REGISTRIES.length)];
        Aircraft a = new Aircraft();
        do {
            a.icao24 = String.format("%06x", registry.icaoFrom() + random.nextInt(registry.icaoTo() - registry.icaoFrom() + 1));
        } while (!icaoInUse.add(a.icao24));
        a.country = registry.country();
        a.callsign = random.nextDouble() < 0.02 ? null
                : String.format("%-8s", registry.airlines()[random.nextInt(registry.airlines().length)] + (1 + random.nextInt(9999)));
        a.latitude = Math.toDegrees(Math.asin(2 * random.nextDouble() - 1)) * 0.8;
        a.longitude = random.nextDouble() * 360 - 180;
        a.track = random.nextDouble() * 360;
        a.cruiseAltitude = 9_000 + random.nextDouble() * 3_500;
        a.hasPosition = random.nextDouble() >= 0.01;
        a.positionSource = random.nextDouble() < 0.9 ? 0 : 2;
        a.category = random.nextDouble() < 0.2 ? 0 : 1 + random.nextInt(20);
        a.squawk = squawk();
        a.lastContact = epoch;
        a.timePosition = epoch;
        double p = random.nextDouble();
        if (!anyPhase || p < 0.05) {
            startTaxi(a);
        } else if (p < 0.10) {
            a.phase = Phase.LANDED;
            a.velocity = 5;
            a.phaseSecondsLeft = random.nextDouble() * 600;
            a.departsAgain = random.nextDouble() < 0.3;
        } else if (p < 0.20) {
            a.phase = Phase.CLIMB;
            a.altitude = random.nextDouble() * a.cruiseAltitude;
            a.velocity = 150 + random.nextDouble() * 80;
            a.verticalRate = 8 + random.nextDouble() * 7;
        } else if (p < 0.30) {
            a.phase = Phase.DESCENT;
            a.altitude = random.nextDouble() * a.cruiseAltitude;
            a.velocity = 150 + random.nextDouble() * 80;
            a.verticalRate = -(5 + random.nextDouble() * 5);
        } else {
            a.phase = Phase.CRUISE;
            a.altitude = a.cruiseAltitude;
            a.velocity = 200 + random.nextDouble() * 60;
            a.phaseSecondsLeft = random.nextDouble() * 7200;
        }
        return a;
    }

    private void startTaxi(Aircraft a) {
        a.phase = Phase.TAXI;
        a.altitude = 0;
        a.verticalRate = 0;
        a.velocity = 8 + random.nextDouble() * 7;
        a.phaseSecondsLeft = 60 + random.nextDouble() * 540;
    }

    private String squawk() {
        double p = random.nextDouble();
        if (p < 0.05) {
            return null;
        }
        if (p < 0.051) {
            return new String[] {"7500", "7600", "7700"}[random.nextInt(3)];
        }
        return String.format("%04o", random.nextInt(01000, 07000)).replace('7', '6');
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
