package app;

import embedded.StopOrder;
import io.micrometer.core.instrument.MeterRegistry;
import monitor.PipelineMetrics;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.support.LifecycleStrategySupport;
import settings.PipelineSettings;

/**
 * What every stage is given: the settings, validated once; the order in which what the stages open is closed,
 * after Camel has stopped the routes so that in-flight changes finish first; and the halt a stage calls when
 * it cannot go on.
 */
public class SettingsConfiguration extends StageConfiguration {

    /** Every setting, typed and validated: a wrong one stops the start before anything runs. */
    @BindToRegistry(lazy = true)
    public PipelineSettings settings(CamelContext context) {
        return PipelineSettings.from(context.getPropertiesComponent()::resolveProperty);
    }

    /**
     * The pipeline's meters, in the registry Camel Main's metrics publish at /observe/metrics; in one of their own
     * where Camel's metrics are off.
     */
    @BindToRegistry(lazy = true)
    public PipelineMetrics pipelineMetrics(CamelContext context) {
        MeterRegistry published = context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        return published != null ? new PipelineMetrics(published) : PipelineMetrics.unpublished();
    }

    @BindToRegistry(lazy = true)
    public StopOrder stopOrder(CamelContext context) {
        StopOrder stopOrder = new StopOrder();
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext stopped) {
                stopOrder.close();
            }
        });
        return stopOrder;
    }

    @Override
    protected void prepare(CamelContext context) {
        if (context.getRegistry().lookupByName(PipelineHalt.BEAN) == null) {
            // Run without camel Main (the tests): halting stops the Camel context.
            context.getRegistry().bind(PipelineHalt.BEAN, new PipelineHalt(context::stop));
        }
    }
}
