package routes;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/** PostgreSQL WAL → Kafka: Debezium reads the logical replication stream; each change goes to its table's topic. */
public class CaptureRoute extends RouteBuilder {

    public static final String ROUTE_ID = "capture";

    @Override
    public void configure() {
        // camel-debezium marks a change processed when the route returns, even after a failure, so a
        // change Kafka did not take is retried here, blocking the stream, rather than skipped.
        errorHandler(defaultErrorHandler()
                .maximumRedeliveries(-1)
                .redeliveryDelay(500)
                .maximumRedeliveryDelay(10_000)
                .useExponentialBackOff()
                .retryAttemptedLogLevel(LoggingLevel.WARN)
                .retryAttemptedLogInterval(10));

        from("debezium-postgres:flight-cdc"
                + "?databaseHostname={{flightcdc.source.host}}"
                + "&databasePort={{flightcdc.source.port}}"
                + "&databaseDbname={{flightcdc.source.database}}"
                + "&databaseUser={{flightcdc.source.user}}"
                + "&databasePassword=RAW({{flightcdc.source.password}})"
                + "&topicPrefix={{flightcdc.kafka.topic-prefix}}"
                + "&tableIncludeList={{flightcdc.source.tables}}"
                + "&pluginName=pgoutput"
                + "&slotName={{flightcdc.source.slot}}"
                + "&publicationName={{flightcdc.source.publication}}"
                + "&publicationAutocreateMode=filtered"
                + "&decimalHandlingMode=string"
                + "&tombstonesOnDelete=true"
                + "&offsetStorageFileName={{flightcdc.data-dir}}/debezium-offsets.dat"
                + "&offsetFlushIntervalMs=1000")
                .routeId(ROUTE_ID)
                .process("debeziumJsonEnvelope")
                .to("kafka:{{flightcdc.kafka.topic-prefix}}"
                        + "?brokers={{flightcdc.kafka.bootstrap-servers}}"
                        + "&requestRequiredAcks=all"
                        + "&enableIdempotence=true");
    }
}
