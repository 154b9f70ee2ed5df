package routes;

import app.PipelineHalt;
import load.ChangeBatchDecoder;
import load.KafkaOffsets;
import load.LoadProgress;
import load.TransactionBoundaries;
import org.apache.camel.Processor;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import settings.PipelineSettings;
import warehouse.SchemaEvolution;
import warehouse.Warehouse;

/**
 * The load route in a Camel context of its own, with the beans it calls, as the pipeline's load configuration binds
 * them: for tests that run a loader beside a pipeline, or the route alone on a real broker.
 */
public final class StandaloneLoadRoute {

    private StandaloneLoadRoute() {
    }

    /** Binds the route's beans in {@code context} and adds the route, named {@code name}; the context is not started. */
    public static void addTo(DefaultCamelContext context, String name, PipelineSettings settings, TransactionBoundaries boundaries,
                             SchemaEvolution schemaEvolution, Warehouse warehouse, LoadProgress progress, PipelineHalt halt)
            throws Exception {
        Registry registry = context.getRegistry();
        registry.bind("settings", settings);
        registry.bind("changeBatchDecoder", new ChangeBatchDecoder(settings.kafka().transactionTopic()));
        registry.bind("transactionBoundaries", boundaries);
        registry.bind("schemaEvolution", schemaEvolution);
        registry.bind("warehouse", warehouse);
        registry.bind("kafkaOffsets", new KafkaOffsets());
        registry.bind("loadProgress", progress);
        registry.bind(LoadRoute.LOAD_FAILED, (Processor) exchange -> { });
        registry.bind(PipelineHalt.BEAN, halt);
        LoadRoute route = new LoadRoute();
        // Camel injects a route's @BeanInject fields only for routes it finds itself, as camel-main does.
        PluginHelper.getBeanPostProcessor(context).postProcessBeforeInitialization(route, name);
        context.addRoutes(route);
    }
}
