package app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.PipelineSettings;
import settings.StartupException;

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
        if (http.enabled()) {
            refuseAnAddressInUse(http);
        }
        MainConfigurationProperties configuration = main.configure();
        configuration.httpServer().withEnabled(http.enabled()).withHost(http.host()).withPort(http.port());
        configuration.httpManagementServer().withEnabled(http.enabled()).withHost(http.host()).withPort(http.port());
    }

    /**
     * Vert.x reports a port it cannot bind with a warning and the pipeline would run on unwatched, so the address is
     * tried first, before anything starts.
     */
    private static void refuseAnAddressInUse(PipelineSettings.Http http) {
        if (http.port() == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(http.host(), http.port()));
        } catch (IOException e) {
            throw new StartupException("Cannot serve the dashboard, health and metrics at " + http.url() + ": " + e.getMessage()
                    + ". Fix: stop what uses the port (another flight-cdc?), or set flightcdc.http.port to a free one (0"
                    + " picks one), flightcdc.http.host to an address of this machine, or flightcdc.http.enabled=false", e);
        }
    }

    /** With port 0 the system picks one when the server binds: the address said is the one bound. */
    private String boundUrl(CamelContext context) {
        if (http.port() != 0) {
            return http.url();
        }
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(0));
        int bound = router == null ? 0 : router.getServer().getPort();
        return bound == 0 ? http.url() : http.urlAt(bound);
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        if (http != null && http.enabled()) {
            // Camel's own summary prints 0.0.0.0 whatever the address.
            PipelineSettings settings = main.getCamelContext().getRegistry().findSingleByType(PipelineSettings.class);
            String url = boundUrl(main.getCamelContext());
            if (settings == null || settings.servesDashboard()) {
                LOG.info("Dashboard at {}/, health at {}/observe/health, Prometheus metrics at {}/observe/metrics", url, url, url);
            } else {
                LOG.info("Health at {}/observe/health, Prometheus metrics at {}/observe/metrics (no dashboard: this process"
                        + " loads no warehouse)", url, url);
            }
        }
    }
}
