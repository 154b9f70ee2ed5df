package routes;

import org.apache.camel.BeanInject;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import settings.PipelineSettings;

/**
 * Watches what silently hurts a change-data-capture pipeline: WAL piling up behind the replication
 * slot, the warehouse loader falling behind Kafka, and the source changing under the capture. Each is measured on its own timer, so one
 * that fails does not hold up the other, and is logged as a warning only past its threshold. (With failover on, the leader's
 * lock checks itself: source/LeaderLock.)
 */
public class MonitorRoute extends RouteBuilder {

    public static final String SLOT_ROUTE_ID = "monitor-replication-slot";
    public static final String LAG_ROUTE_ID = "monitor-consumer-lag";
    public static final String SOURCE_ROUTE_ID = "monitor-source";

    @BeanInject
    PipelineSettings settings;

    @Override
    public void configure() {
        // A measurement that fails (a server briefly away) is reported and left to the next tick.
        onException(Exception.class)
                .handled(true)
                .log(LoggingLevel.WARN, "monitor",
                        "${routeId}: could not measure, trying again at the next check: ${exception.message}");

        // Each stage's own, where it runs.
        if (settings.capture().enabled()) {
            from("timer:" + SLOT_ROUTE_ID + "?period={{flightcdc.monitor.interval-ms}}")
                    .routeId(SLOT_ROUTE_ID)
                    .bean("replicationSlotMonitor", "check");

            // The startup checks again: a slot dropped, a publication altered, a captured table renamed halt the pipeline.
            from("timer:" + SOURCE_ROUTE_ID + "?period={{flightcdc.monitor.interval-ms}}")
                    .routeId(SOURCE_ROUTE_ID)
                    .bean("sourceGuard", "check");
        }
        if (settings.warehouse().loadEnabled()) {
            from("timer:" + LAG_ROUTE_ID + "?period={{flightcdc.monitor.interval-ms}}")
                    .routeId(LAG_ROUTE_ID)
                    .bean("consumerLagMonitor", "check");
        }

    }
}
