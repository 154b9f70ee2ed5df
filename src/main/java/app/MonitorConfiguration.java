package app;

import capture.PositionWrites;
import embedded.StopOrder;
import java.util.ArrayList;
import java.util.List;
import monitor.ConsumerLagMonitor;
import monitor.KafkaHealth;
import monitor.LoadHealth;
import monitor.PipelineMetrics;
import monitor.ReadinessCheck;
import monitor.SourceHealth;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.health.HealthCheckRegistry;
import settings.PipelineSettings;
import source.SourceDatabase;

/**
 * The checks of the pipeline's readiness. What routes/MonitorRoute measures belongs to the stage it watches: the slot's
 * retained WAL to the capture's beans, the loader's consumer lag to the load's.
 */
public class MonitorConfiguration extends StageConfiguration {

    /**
     * The pipeline's readiness, one check per part (/observe/health/ready); Camel adds its own on the routes and
     * their consumers. Each DOWN says what is wrong.
     */
    @BindToRegistry(lazy = true)
    public List<ReadinessCheck> readinessChecks(PipelineSettings settings, SourceDatabase source, StopOrder stopOrder,
                                                CamelContext context,
                                                @PropertyInject("flightcdc.kafka.bootstrap-servers") String bootstrapServers) {
        KafkaHealth kafka = stopOrder.add(new KafkaHealth(settings.kafka().clientProperties(bootstrapServers), bootstrapServers));
        List<ReadinessCheck> checks = new ArrayList<>();
        // Each stage's own, where it runs: the slot is the capture's, the warehouse and the lag the loader's.
        if (settings.capture().enabled()) {
            checks.add(new ReadinessCheck("source", new SourceHealth(source.dataSource(), settings.source().slot())));
            checks.add(new ReadinessCheck("position", bean(context, PositionWrites.class)::problem));
        }
        checks.add(new ReadinessCheck("kafka", kafka));
        if (settings.warehouse().loadEnabled()) {
            ConsumerLagMonitor lag = bean(context, ConsumerLagMonitor.class);
            int lagLimit = settings.monitor().consumerLagWarn();
            checks.add(new ReadinessCheck("warehouse", bean(context, LoadHealth.class)));
            checks.add(new ReadinessCheck("lag", () -> lag.consumerLag().stream()
                    .filter(behind -> behind > lagLimit)
                    .mapToObj(behind -> "the warehouse loader is " + behind + " changes behind Kafka (more than"
                            + " flightcdc.monitor.consumer-lag-warn = " + lagLimit + ")")
                    .findFirst()));
        }
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        checks.forEach(registry::register);
        return List.copyOf(checks);
    }
}
