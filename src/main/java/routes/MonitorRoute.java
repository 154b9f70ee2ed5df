package routes;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * Watches what silently hurts a change-data-capture pipeline: WAL piling up behind the replication
 * slot, and the warehouse loader falling behind Kafka. Each is measured on its own timer, so one
 * that fails does not hold up the other, and is logged as a warning only past its threshold.
 */
public class MonitorRoute extends RouteBuilder {

    public static final String SLOT_ROUTE_ID = "monitor-replication-slot";
    public static final String LAG_ROUTE_ID = "monitor-consumer-lag";

    @Override
    public void configure() {
        // A measurement that fails (a server briefly away) is reported and left to the next tick.
        onException(Exception.class)
                .handled(true)
                .log(LoggingLevel.WARN, "monitor",
                        "${routeId}: could not measure, trying again at the next check: ${exception.message}");

        from("timer:" + SLOT_ROUTE_ID + "?period={{flightcdc.monitor.interval-ms}}")
                .routeId(SLOT_ROUTE_ID)
                .bean("replicationSlotMonitor", "check");

        from("timer:" + LAG_ROUTE_ID + "?period={{flightcdc.monitor.interval-ms}}")
                .routeId(LAG_ROUTE_ID)
                .bean("consumerLagMonitor", "check");
    }
}
