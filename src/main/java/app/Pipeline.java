package app;

import java.util.Map;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.main.MainListenerSupport;
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

    /**
     * A camel Main that runs the pipeline with {@code overrides} over application.properties and the
     * environment, as the commands that start it (run, bench) share it.
     */
    public static Main newMain(Map<String, String> overrides) {
        Main main = new Main();
        overrides.forEach(main::addOverrideProperty);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport starting) {
                EnvironmentSettings.install(starting.getCamelContext());
            }
        });
        addTo(main.configure());
        return main;
    }
}
