package e2e;

import app.PipelineHalt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import load.LoadProgress;
import load.TransactionBoundaries;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import routes.StandaloneLoadRoute;
import settings.PipelineSettings;
import source.SourceCatalog;
import warehouse.DerivedViews;
import warehouse.SchemaEvolution;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * A second loader of a running pipeline's consumer group, as a second loader process would be: the load route alone,
 * in a Camel context of its own, with beans and progress of its own. It loads the pipeline's DuckDB file, which
 * connections of one process share (two processes cannot open it, hence this JVM). It runs more consumers than the
 * pipeline does, so that Kafka's range assignor gives it partitions whatever the order of the members' ids.
 */
final class SecondLoader implements AutoCloseable {

    private final DefaultCamelContext context = new DefaultCamelContext();
    private final DuckDbWarehouse warehouse;
    private final LoadProgress progress;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicInteger halts = new AtomicInteger();

    private SecondLoader(CamelContext pipeline, int consumers) throws Exception {
        Map<String, String> overrides = Map.of("flightcdc.load.consumers", String.valueOf(consumers));
        PipelineSettings settings = PipelineSettings.from(key -> overrides.containsKey(key) ? Optional.of(overrides.get(key))
                : pipeline.getPropertiesComponent().resolveProperty(key));
        SourceCatalog catalog = pipeline.getRegistry().findSingleByType(SourceCatalog.class);
        List<TableSchema> schemas = new ArrayList<>();
        for (TableId table : settings.source().tables()) {
            schemas.add(catalog.describe(table));
        }
        warehouse = DuckDbWarehouse.open(settings.warehouse().duckdbPath(), DerivedViews.NONE, consumers);
        progress = new LoadProgress(Duration.ofSeconds(5), result -> applied.addAndGet(result.applied()));
        try {
            start(pipeline, settings, catalog, schemas);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private void start(CamelContext pipeline, PipelineSettings settings, SourceCatalog catalog, List<TableSchema> schemas)
            throws Exception {
        warehouse.prepare(schemas);
        TransactionBoundaries boundaries = new TransactionBoundaries(settings.warehouse().transactionBoundaries(),
                settings.warehouse().maxTransactionChanges(), settings.kafka()::topicFor, warehouse::progress);

        for (String key : List.of("flightcdc.load.topics", "flightcdc.kafka.bootstrap-servers",
                "flightcdc.kafka.consumer-group")) {
            context.getPropertiesComponent().addOverrideProperty(key, pipeline.resolvePropertyPlaceholders("{{" + key + "}}"));
        }
        StandaloneLoadRoute.addTo(context, "secondLoader", settings, boundaries,
                new SchemaEvolution(catalog::describe, warehouse, schemas), warehouse, progress,
                new PipelineHalt(halts::incrementAndGet));
        context.start();
    }

    /** Joins the consumer group of {@code pipeline}, whose load stage has started, with {@code consumers} consumers. */
    static SecondLoader join(CamelContext pipeline, int consumers) throws Exception {
        return new SecondLoader(pipeline, consumers);
    }

    /** The changes this loader has applied to the warehouse. */
    long applied() {
        return applied.get();
    }

    /** How many times this loader would have stopped the pipeline (a load refused for good). */
    int halts() {
        return halts.get();
    }

    /** Leaves the group, as a loader process stopped does: Kafka gives its partitions back to the others. */
    @Override
    public void close() throws Exception {
        try {
            context.stop();
        } finally {
            progress.close();
            warehouse.close();
        }
    }
}
