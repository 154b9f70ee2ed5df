package app;

import org.apache.camel.main.MainConfigurationProperties;
import routes.CaptureRoute;
import routes.LoadRoute;
import routes.OpenSkyPollRoute;

/** What the pipeline is made of: its wiring and its three routes, for the CLI and the tests alike. */
public final class Pipeline {

    private Pipeline() {
    }

    public static void addTo(MainConfigurationProperties main) {
        main.addConfiguration(PipelineConfiguration.class);
        main.addRoutesBuilder(new OpenSkyPollRoute());
        main.addRoutesBuilder(new CaptureRoute());
        main.addRoutesBuilder(new LoadRoute());
    }
}
