package app;

import embedded.StopOrder;
import java.util.List;
import monitor.ConsumerLagMonitor;
import monitor.KafkaHealth;
import monitor.LoadHealth;
import monitor.PipelineMetrics;
import monitor.ReadinessCheck;
import monitor.ReplicationSlotMonitor;
import monitor.SourceHealth;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.health.HealthCheckRegistry;
import settings.PipelineSettings;
import source.SourceDatabase;

/**
 * The monitors' beans (routes/MonitorRoute): the slot's retained WAL and the loader's consumer lag; and the checks of
 * the pipeline's readiness.
 */
public class MonitorConfiguration extends StageConfiguration {

    @BindToRegistry(lazy = true)
    public ReplicationSlotMonitor replicationSlotMonitor(PipelineSettings settings, SourceDatabase source,
                                                         PipelineMetrics metrics) {
        ReplicationSlotMonitor monitor = new ReplicationSlotMonitor(source.dataSource(), settings.source().slot(),
                settings.monitor().retainedWalWarnMb());
        metrics.gauge("flightcdc.slot.retained.wal.bytes", "WAL the replication slot keeps on the source, as last measured",
                null, () -> monitor.retainedWalBytes().isPresent() ? monitor.retainedWalBytes().getAsLong() : Double.NaN);
        return monitor;
    }

    @BindToRegistry(lazy = true)
    public ConsumerLagMonitor consumerLagMonitor(PipelineSettings settings, StopOrder stopOrder, PipelineMetrics metrics,
                                                 @PropertyInject("flightcdc.kafka.bootstrap-servers") String bootstrapServers) {
        return stopOrder.add(ConsumerLagMonitor.connect(settings.kafka().clientProperties(bootstrapServers),
                settings.kafka().consumerGroup(), settings.changeTopics(), settings.monitor().consumerLagWarn(),
                metrics::consumerLag));
    }

    /**
     * The pipeline's readiness, one check per part (/observe/health/ready); Camel adds its own on the routes and
     * their consumers. Each DOWN says what is wrong.
     */
    @BindToRegistry(lazy = true)
    public List<ReadinessCheck> readinessChecks(PipelineSettings settings, SourceDatabase source, StopOrder stopOrder,
                                                LoadHealth loadHealth, ConsumerLagMonitor lag, CamelContext context,
                                                @PropertyInject("flightcdc.kafka.bootstrap-servers") String bootstrapServers) {
        KafkaHealth kafka = stopOrder.add(new KafkaHealth(settings.kafka().clientProperties(bootstrapServers), bootstrapServers));
        int lagLimit = settings.monitor().consumerLagWarn();
        List<ReadinessCheck> checks = List.of(
                new ReadinessCheck("source", new SourceHealth(source.dataSource(), settings.source().slot())),
                new ReadinessCheck("kafka", kafka),
                new ReadinessCheck("warehouse", loadHealth),
                new ReadinessCheck("lag", () -> lag.consumerLag().stream()
                        .filter(behind -> behind > lagLimit)
                        .mapToObj(behind -> "the warehouse loader is " + behind + " changes behind Kafka (more than"
                                + " flightcdc.monitor.consumer-lag-warn = " + lagLimit + ")")
                        .findFirst()));
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        checks.forEach(registry::register);
        return checks;
    }
}
