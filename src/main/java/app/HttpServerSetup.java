package app;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.PipelineSettings;

/**
 * Points Camel Main's embedded HTTP server at {@code flightcdc.http.*}: one listener serves the dashboard (Camel's
 * "server") and health and metrics (its "management server"). Done here, not with placeholders in
 * application.properties, because Camel resolves those within the file alone, before the environment and the
 * command line are consulted.
 */
final class HttpServerSetup extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServerSetup.class);

    private PipelineSettings.Http http;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        if (main.getCamelContext() == null) {
            // camel-test-main's CamelMainTestSupport: it gives listeners no context, and starts no embedded server.
            return;
        }
        http = PipelineSettings.Http.from(main.getCamelContext().getPropertiesComponent()::resolveProperty);
        MainConfigurationProperties configuration = main.configure();
        configuration.httpServer().withEnabled(http.enabled()).withHost(http.host()).withPort(http.port());
        configuration.httpManagementServer().withEnabled(http.enabled()).withHost(http.host()).withPort(http.port());
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        if (http != null && http.enabled()) {
            // Camel's own summary prints 0.0.0.0 whatever the address.
            LOG.info("Dashboard at {}/, health at {}/observe/health, Prometheus metrics at {}/observe/metrics",
                    http.url(), http.url(), http.url());
        }
    }
}
