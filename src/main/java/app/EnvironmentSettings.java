package app;

import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.spi.PropertiesSource;
import org.apache.camel.util.IOHelper;

/**
 * Environment variables as a source of the pipeline's settings, placed so that the command line
 * wins over the environment and the environment over application.properties. Camel's own handling
 * of environment variables puts them above everything, the command line included, so a
 * FLIGHTCDC_DATA_DIR left in a shell would silently beat {@code --data-dir}.
 */
public final class EnvironmentSettings implements PropertiesSource, Ordered {

    private static final String PREFIX = "flightcdc.";

    /** Makes {@code context} read FLIGHTCDC_* variables after the command line and before the files. */
    public static void install(CamelContext context) {
        PropertiesComponent properties = (PropertiesComponent) context.getPropertiesComponent();
        // Camel then looks a key up in override properties (the command line), its sources in order
        // (this one first, then application.properties), and only if none has it in the environment.
        properties.setEnvironmentVariableMode(PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_FALLBACK);
        properties.addPropertiesSource(new EnvironmentSettings());
    }

    @Override
    public String getName() {
        return "flightcdc environment variables";
    }

    @Override
    public String getProperty(String name) {
        // FLIGHTCDC_SOURCE_JDBC_URL for flightcdc.source.jdbc-url
        return name.startsWith(PREFIX) ? IOHelper.lookupEnvironmentVariable(name) : null;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST;
    }
}
