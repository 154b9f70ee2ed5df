package app;

import org.apache.camel.main.MainConfigurationProperties;
import routes.CaptureRoute;
import routes.LoadRoute;
import routes.MonitorRoute;
import routes.OpenSkyPollRoute;

/** What the pipeline is made of: its wiring, its three stages and their monitoring, for the CLI and the tests alike. */
public final class Pipeline {

    private Pipeline() {
    }

    public static void addTo(MainConfigurationProperties main) {
        main.addConfiguration(PipelineConfiguration.class);
        main.addRoutesBuilder(new OpenSkyPollRoute());
        main.addRoutesBuilder(new CaptureRoute());
        main.addRoutesBuilder(new LoadRoute());
        main.addRoutesBuilder(new MonitorRoute());
    }
}
