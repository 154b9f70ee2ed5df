package app;

import embedded.StopOrder;
import monitor.ConsumerLagMonitor;
import monitor.ReplicationSlotMonitor;
import org.apache.camel.BindToRegistry;
import org.apache.camel.PropertyInject;
import settings.PipelineSettings;
import source.SourceDatabase;

/** The monitors' beans (routes/MonitorRoute): the slot's retained WAL and the loader's consumer lag. */
public class MonitorConfiguration extends StageConfiguration {

    @BindToRegistry(lazy = true)
    public ReplicationSlotMonitor replicationSlotMonitor(PipelineSettings settings, SourceDatabase source) {
        return new ReplicationSlotMonitor(source.dataSource(), settings.source().slot(), settings.monitor().retainedWalWarnMb());
    }

    @BindToRegistry(lazy = true)
    public ConsumerLagMonitor consumerLagMonitor(PipelineSettings settings, StopOrder stopOrder,
                                                 @PropertyInject("flightcdc.kafka.bootstrap-servers") String bootstrapServers) {
        return stopOrder.add(ConsumerLagMonitor.connect(settings.kafka().clientProperties(bootstrapServers),
                settings.kafka().consumerGroup(), settings.changeTopics(), settings.monitor().consumerLagWarn()));
    }
}
