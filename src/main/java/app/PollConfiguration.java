package app;

import embedded.EmbeddedServices;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import monitor.PipelineMetrics;
import opensky.AccessTokens;
import opensky.CreditBudget;
import opensky.PollGate;
import opensky.PollRecorder;
import opensky.ResponseBody;
import opensky.StateVectorParser;
import opensky.simulator.OpenSkySimulator;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.PipelineSettings;
import source.PollStatement;
import source.SourceDatabase;

/** The poll stage's beans (routes/OpenSkyPollRoute): OpenSky, or its simulator, into the source table. */
public class PollConfiguration extends StageConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PollConfiguration.class);

    @BindToRegistry(lazy = true)
    public AccessTokens accessTokens(PipelineSettings settings, EmbeddedServices embedded) {
        PipelineSettings.OpenSky openSky = settings.openSky();
        URI tokenUrl = embedded.openSky().map(simulator -> URI.create(simulator.tokenUrl())).orElse(openSky.tokenUrl());
        return new AccessTokens(openSky.credentials(), tokenUrl, Clock.systemUTC(), Duration.ofMillis(openSky.responseTimeoutMs()));
    }

    @BindToRegistry(lazy = true)
    public PollGate pollGate(PipelineSettings settings, AccessTokens accessTokens, PipelineMetrics metrics) {
        PipelineSettings.OpenSky openSky = settings.openSky();
        // The simulator has credits to spare unless a test limits them: its budget, not an account's, is what applies.
        CreditBudget budget = openSky.simulated()
                ? new CreditBudget(openSky.creditBudget().costPerCall(), (int) OpenSkySimulator.DEFAULT_DAILY_CREDITS)
                : openSky.creditBudget();
        PollGate gate = new PollGate(Duration.ofMillis(openSky.pollIntervalMs()), Duration.ofMillis(openSky.maxBackoffMs()),
                budget, accessTokens, Clock.systemUTC());
        metrics.pollRequests("ok", gate, PollGate::successes);
        for (PollGate.Trouble trouble : PollGate.Trouble.values()) {
            metrics.pollRequests(trouble.name().toLowerCase(java.util.Locale.ROOT), gate, g -> g.count(trouble));
        }
        metrics.gauge("flightcdc.opensky.credits.remaining", "OpenSky's credits left today, as its last answer said",
                null, gate::creditsRemaining);
        return gate;
    }

    @BindToRegistry(lazy = true)
    public ResponseBody responseBody() {
        return new ResponseBody();
    }

    @BindToRegistry(lazy = true)
    public PollRecorder pollRecorder(PipelineSettings settings) {
        return new PollRecorder(settings.openSky().recordDir(), Clock.systemUTC());
    }

    @BindToRegistry(lazy = true)
    public StateVectorParser stateVectorParser() {
        return new StateVectorParser();
    }

    @BindToRegistry(lazy = true)
    public PollStatement pollStatement(PipelineSettings settings, PipelineMetrics metrics) {
        return new PollStatement(settings.openSky().staleAfterSeconds(), metrics::polled);
    }

    /** Where the poll route's SQL runs: the source's connection pool. */
    @BindToRegistry(lazy = true)
    public DataSource sourceDataSource(SourceDatabase source) {
        return source.dataSource();
    }

    @Override
    protected void prepare(CamelContext context) {
        PipelineSettings.OpenSky openSky = bean(context, PipelineSettings.class).openSky();
        EmbeddedServices embedded = bean(context, EmbeddedServices.class);
        // With the poll off the route is not started, but its endpoint URI must still resolve.
        compute(context, "flightcdc.opensky.base-url", openSky.baseUrl()
                .orElseGet(() -> embedded.openSky().map(OpenSkySimulator::baseUrl).orElse("http://127.0.0.1:0/api")));
        compute(context, "flightcdc.opensky.states-query", openSky.statesQuery());
        if (!openSky.pollEnabled()) {
            LOG.info("OpenSky poll is off: the pipeline carries only the changes made in the database");
        } else if (!openSky.simulated()) {
            LOG.info("Polling {} {}", openSky.baseUrl().orElseThrow(), openSky.credentials()
                    .map(c -> "as OAuth2 client '" + c.clientId() + "'").orElse("anonymously"));
            bean(context, PollGate.class).reportBudget();
        }
    }
}
