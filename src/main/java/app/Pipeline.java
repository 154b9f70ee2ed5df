package app;

import java.util.Map;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.main.MainListenerSupport;
import routes.CaptureRoute;
import routes.DashboardRoute;
import routes.LoadRoute;
import routes.MonitorRoute;
import routes.OpenSkyPollRoute;

/**
 * What the pipeline is made of, for the CLI and the tests alike: one configuration class per stage, which declares
 * the beans its route calls and runs its startup steps, and one route per stage.
 */
public final class Pipeline {

    /** Settings whose value Camel must mask too, as it compares them: the last segment, lower case, no dashes. */
    private static final String SENSITIVE_KEYWORDS = "privatekeypassphrase,webhookurl";

    private Pipeline() {
    }

    public static void addTo(MainConfigurationProperties main) {
        // Camel's startup summaries print each setting's value unless the setting's last segment names a secret it
        // knows (password, clientsecret, privatekey, ...): the key's passphrase is not among them.
        main.setAdditionalSensitiveKeywords(SENSITIVE_KEYWORDS);
        // In this order: each stage's startup steps may use what the ones before it prepared.
        main.addMainListener(new HttpServerSetup());
        main.addConfiguration(SettingsConfiguration.class);
        main.addConfiguration(FailoverConfiguration.class);
        main.addConfiguration(ServicesConfiguration.class);
        main.addConfiguration(PollConfiguration.class);
        main.addConfiguration(CaptureConfiguration.class);
        main.addConfiguration(LoadConfiguration.class);
        main.addConfiguration(DashboardConfiguration.class);
        main.addConfiguration(MonitorConfiguration.class);
        main.addRoutesBuilder(new OpenSkyPollRoute());
        main.addRoutesBuilder(new CaptureRoute());
        main.addRoutesBuilder(new LoadRoute());
        main.addRoutesBuilder(new MonitorRoute());
        main.addRoutesBuilder(new DashboardRoute());
    }

    /**
     * A camel Main that runs the pipeline with {@code overrides} over application.properties and the
     * environment, as the commands that start it (run, bench) share it.
     */
    public static Run newMain(Map<String, String> overrides) {
        Run main = new Run();
        overrides.forEach(main::addOverrideProperty);
        PipelineHalt halt = main.halt;
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport starting) {
                EnvironmentSettings.install(starting.getCamelContext());
                // Main's own beans reach the context only after the configuration classes ran, which need this one.
                starting.getCamelContext().getRegistry().bind(PipelineHalt.BEAN, halt);
            }
        });
        addTo(main.configure());
        return main;
    }

    /** A camel Main that a stage may halt (see {@link PipelineHalt}), which its exit code then tells. */
    public static final class Run extends Main {

        private final PipelineHalt halt = new PipelineHalt(this::completed);

        /** {@link PipelineHalt#EXIT_CODE} when a stage halted the run, else camel Main's own. */
        @Override
        public int getExitCode() {
            return halt.reason().isPresent() ? PipelineHalt.EXIT_CODE : super.getExitCode();
        }
    }
}
