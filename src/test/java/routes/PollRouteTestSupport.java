package routes;

import java.time.Clock;
import java.util.Optional;
import opensky.AccessTokens;
import opensky.PollGate;
import opensky.PollRecorder;
import opensky.ResponseBody;
import opensky.StateVectorParser;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.postgresql.ds.PGSimpleDataSource;
import source.PollStatement;

/**
 * The OpenSky poll route with what it calls: the real parser and statement parameters, a stand-in for the
 * database that records what the route's SQL is given, and the test's tokens, gate and recorder.
 */
abstract class PollRouteTestSupport extends RouteTestSupport {

    protected final RecordingSource source = new RecordingSource();

    protected abstract AccessTokens accessTokens();

    protected abstract PollGate pollGate();

    /** Records nothing unless a test says otherwise. */
    protected PollRecorder pollRecorder() {
        return new PollRecorder(Optional.empty(), Clock.systemUTC());
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addRoutesBuilder(new OpenSkyPollRoute());
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("responseBody", new ResponseBody());
        registry.bind("stateVectorParser", new StateVectorParser());
        registry.bind("pollStatement", new PollStatement(60));
        // The SQL endpoints need one to be made; what is sent to them goes to RecordingSource instead.
        registry.bind("sourceDataSource", new PGSimpleDataSource());
        registry.bind("accessTokens", accessTokens());
        registry.bind("pollRecorder", pollRecorder());
        registry.bind("pollGate", pollGate());
    }
}
