package routes;

import app.PipelineHalt;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import warehouse.LoadRefusedException;

/**
 * Kafka → warehouse: batches of changes are written in one warehouse transaction, and only then
 * are their Kafka offsets committed. A failed batch is retried from its first record; one the loader refuses
 * for good (Kafka no longer holds what the warehouse was loaded from) halts the pipeline.
 */
public class LoadRoute extends RouteBuilder {

    public static final String ROUTE_ID = "load";
    public static final String RECORDS = "kafkaRecords";

    @Override
    public void configure() {
        long retryDelayMs = Long.parseLong(getCamelContext().resolvePropertyPlaceholders("{{flightcdc.load.retry-delay-ms}}"));
        errorHandler(defaultErrorHandler()
                .maximumRedeliveries(5)
                .redeliveryDelay(retryDelayMs)
                .useExponentialBackOff()
                .retryAttemptedLogLevel(LoggingLevel.WARN));
        // Retrying cannot help: the pipeline stops, and the batch stays uncommitted (breakOnFirstError).
        onException(LoadRefusedException.class)
                .maximumRedeliveries(0)
                .handled(false)
                .bean(PipelineHalt.BEAN, "halt(${exception.message})");

        from("kafka:{{flightcdc.load.topics}}"
                + "?brokers={{flightcdc.kafka.bootstrap-servers}}"
                + "&groupId={{flightcdc.kafka.consumer-group}}"
                // A loader that crashed stays in the group until its session times out, and until then the
                // restarted one gets no partition: 10 s instead of Kafka's 45 s.
                + "&sessionTimeoutMs=10000"
                + "&autoOffsetReset=earliest"
                + "&autoCommitEnable=false"
                + "&allowManualCommit=true"
                + "&breakOnFirstError=true"
                + "&batching=true"
                + "&maxPollRecords={{flightcdc.load.max-batch}}"
                + "&pollTimeoutMs={{flightcdc.load.max-wait-ms}}"
                // Without an interval a batch under steady traffic waits until it is full.
                + "&batchingIntervalMs={{flightcdc.load.max-wait-ms}}")
                .routeId(ROUTE_ID)
                .setProperty(RECORDS, body())
                .bean("changeBatchDecoder", "decode")
                .bean("schemaEvolution", "follow")
                .bean("warehouse", "load")
                .bean("kafkaOffsets", "commit(${exchangeProperty." + RECORDS + "})")
                .bean("loadProgress", "record");
    }
}
