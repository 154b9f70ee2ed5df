package routes;

import app.SettingsConfiguration;
import java.util.Properties;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;

/**
 * One route under test, with application.properties loaded, the placeholders the wiring would
 * resolve at startup given by {@link #resolvedProperties()}, the settings validated from both as the
 * pipeline's are, and AdviceWith before the context starts.
 */
abstract class RouteTestSupport extends CamelMainTestSupport {

    /** Values the pipeline's configuration classes would work out at startup (endpoints of the embedded services). */
    protected abstract Properties resolvedProperties();

    @Override
    public void configureTest(TestExecutionConfiguration test) {
        super.configureTest(test);
        test.withUseAdviceWith(true);
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        Properties properties = resolvedProperties();
        // The route under test alone: not the YAML routes application.properties loads beside the pipeline's.
        properties.setProperty("camel.main.routes-include-pattern", "false");
        context.withUseOverridePropertiesWithPropertiesComponent(properties);
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addConfiguration(SettingsConfiguration.class);
    }

    protected static Properties properties(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }
}
