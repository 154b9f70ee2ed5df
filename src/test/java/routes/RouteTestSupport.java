package routes;

import java.util.Properties;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;

/**
 * One route under test, with application.properties loaded, the placeholders the wiring would
 * resolve at startup given by {@link #resolvedProperties()}, and AdviceWith before the context starts.
 */
abstract class RouteTestSupport extends CamelMainTestSupport {

    /** Values PipelineConfiguration would resolve at startup (endpoints of the embedded services). */
    protected abstract Properties resolvedProperties();

    @Override
    public void configureTest(TestExecutionConfiguration test) {
        super.configureTest(test);
        test.withUseAdviceWith(true);
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        context.withUseOverridePropertiesWithPropertiesComponent(resolvedProperties());
    }

    protected static Properties properties(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }
}
