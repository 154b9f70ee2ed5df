package embedded;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import opensky.simulator.AirTrafficModel;
import opensky.simulator.OpenSkySimulator;
import opensky.simulator.Recording;
import settings.InvalidSettingException;
import settings.PipelineSettings;

/**
 * The servers the pipeline starts for itself, one for each piece the settings leave unconfigured: PostgreSQL
 * when there is no {@code flightcdc.source.jdbc-url}, a Kafka broker when there are no bootstrap servers, the
 * OpenSky simulator when the poll is on and has no base URL. They start together and stop together, the last
 * started first; a start that fails stops what had started.
 */
public final class EmbeddedServices implements AutoCloseable {

    private final StopOrder started = new StopOrder();
    private EmbeddedPostgresServer postgres;
    private EmbeddedKafkaBroker kafka;
    private OpenSkySimulator openSky;

    private EmbeddedServices() {
    }

    public static EmbeddedServices start(PipelineSettings settings) {
        EmbeddedServices services = new EmbeddedServices();
        try {
            services.startEach(settings);
            return services;
        } catch (RuntimeException | Error e) {
            services.close();
            throw e;
        }
    }

    private void startEach(PipelineSettings settings) {
        if (settings.source().embedded()) {
            postgres = started.add(EmbeddedPostgresServer.startOwned(settings.dataDir().resolve("postgres"),
                    settings.source().embeddedPort()));
        }
        if (settings.kafka().embedded()) {
            kafka = started.add(EmbeddedKafkaBroker.start(settings.dataDir().resolve("kafka"), settings.kafka().embeddedPort(),
                    settings.kafka().maxRecordBytes()));
        }
        PipelineSettings.OpenSky poll = settings.openSky();
        if (poll.pollEnabled() && poll.simulated()) {
            openSky = started.add(simulator(poll));
            // Credentials given while simulating are checked by the simulator, as OpenSky would.
            poll.credentials().ifPresent(openSky::requireCredentials);
            openSky.start("127.0.0.1", poll.simulatorPort());
        }
    }

    /** The simulated OpenSky: its own traffic, or a recorded session served again. */
    private static OpenSkySimulator simulator(PipelineSettings.OpenSky openSky) {
        if (openSky.replayDir().isEmpty()) {
            return new OpenSkySimulator(new AirTrafficModel(openSky.simulatorAircraft(), openSky.simulatorSeed(), Instant.now()),
                    Clock.systemUTC());
        }
        try {
            return OpenSkySimulator.replaying(Recording.open(openSky.replayDir().get()), Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("flightcdc.opensky.replay-dir", e.getMessage());
        }
    }

    public Optional<EmbeddedPostgresServer> postgres() {
        return Optional.ofNullable(postgres);
    }

    public Optional<EmbeddedKafkaBroker> kafka() {
        return Optional.ofNullable(kafka);
    }

    public Optional<OpenSkySimulator> openSky() {
        return Optional.ofNullable(openSky);
    }

    @Override
    public void close() {
        started.close();
    }
}
