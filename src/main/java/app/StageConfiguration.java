package app;

import embedded.StopOrder;
import java.lang.reflect.Method;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import settings.PipelineSettings;

/**
 * One part of the pipeline's start, as a Camel configuration class: its beans are declared with
 * {@code @BindToRegistry(lazy = true)}, so each is made when first needed and gets what it needs by type from the
 * registry, whichever class declares it. {@link #prepare} runs the part's startup steps, in order; then every bean
 * the class declares is made, so that one which cannot be fails the start here rather than while Camel builds
 * the routes. When any part fails, everything opened so far is closed (see {@link StopOrder}).
 */
abstract class StageConfiguration implements CamelConfiguration {

    @Override
    public final void configure(CamelContext context) throws Exception {
        if (!runsIn(bean(context, PipelineSettings.class))) {
            return;
        }
        try {
            prepare(context);
            for (Method method : getClass().getMethods()) {
                BindToRegistry bean = method.getAnnotation(BindToRegistry.class);
                if (bean != null) {
                    context.getRegistry().lookupByName(bean.value().isEmpty() ? method.getName() : bean.value());
                }
            }
        } catch (Exception | Error e) {
            StopOrder opened = context.getRegistry().findSingleByType(StopOrder.class);
            if (opened != null) {
                opened.close();
            }
            throw e;
        }
    }

    /** Whether this process runs this part: another process may run it instead (flightcdc.capture.enabled, ...). */
    protected boolean runsIn(PipelineSettings settings) {
        return true;
    }

    /** This part's startup steps, before the routes are built; the placeholders it computes are set here. */
    protected void prepare(CamelContext context) throws Exception {
    }

    /** The one bean of {@code type}, made now if it has not been. */
    static <T> T bean(CamelContext context, Class<T> type) {
        T bean = context.getRegistry().findSingleByType(type);
        if (bean == null) {
            throw new IllegalStateException("No single " + type.getSimpleName() + " in the registry");
        }
        return bean;
    }

    /** Sets a placeholder the routes read, worked out at startup (application.properties declares them as such). */
    static void compute(CamelContext context, String key, Object value) {
        context.getPropertiesComponent().addOverrideProperty(key, String.valueOf(value));
    }
}
