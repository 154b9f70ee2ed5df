package app;

import embedded.StopOrder;
import java.util.Properties;
import monitor.PipelineMetrics;
import org.apache.camel.CamelContext;
import settings.PipelineSettings;
import source.LeaderLock;

/**
 * With failover on, this instance waits here, before any stage starts, until it leads: until it holds the source's
 * lock for the slot (source/LeaderLock). A standby so opens nothing that the leader holds: not the replication slot,
 * not the loader's place in the consumer group, not the DuckDB file. Once it leads, every stage starts as in a restart
 * after a crash, from the position the last leader stored in the source; the lock is let go last, after every stage
 * has stopped.
 */
public class FailoverConfiguration extends StageConfiguration {

    @Override
    protected void prepare(CamelContext context) throws InterruptedException {
        PipelineSettings settings = bean(context, PipelineSettings.class);
        if (!settings.failover().enabled()) {
            return;
        }
        PipelineSettings.Source source = settings.source();
        Properties connection = new Properties();
        connection.setProperty("user", source.user());
        connection.setProperty("password", source.password().value());
        connection.putAll(source.tls().jdbcProperties());
        PipelineHalt halt = context.getRegistry().lookupByNameAndType(PipelineHalt.BEAN, PipelineHalt.class);
        LeaderLock lock = bean(context, StopOrder.class).add(new LeaderLock(source.jdbcUrl().orElseThrow(), connection,
                source.slot(), settings.failover().lease(), halt::halt));
        if (settings.http().enabled()) {
            try (NotReadyHealth standby = NotReadyHealth.serve(settings.http(), "lead", lock::waiting, "standing by",
                    bean(context, PipelineMetrics.class).prometheusText())) {
                lock.awaitLead(settings.failover().checkInterval());
            }
        } else {
            lock.awaitLead(settings.failover().checkInterval());
        }
        lock.keepLeading(settings.failover().checkInterval());
    }
}
