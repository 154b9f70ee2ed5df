package routes;

import app.PipelineHalt;
import java.util.Set;
import load.HandoverKafkaClients;
import load.PartitionHandover;
import load.ReadSinceHandover;
import load.TransactionBoundaries;
import load.Undelivered;
import org.apache.camel.BeanInject;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.support.CamelContextHelper;
import settings.PipelineSettings;
import warehouse.LoadRefusedException;
import warehouse.Warehouse;

/**
 * Kafka → warehouse: what Kafka delivers is cut at source transaction boundaries, so that each load holds
 * whole transactions (the rest waits for the next delivery); a load is written in one warehouse transaction,
 * and only then are its Kafka offsets committed. A failed load is retried and then read again from the last
 * committed offsets; one the loader refuses for good (Kafka no longer holds what the warehouse was loaded
 * from) halts the pipeline.
 */
public class LoadRoute extends RouteBuilder {

    public static final String ROUTE_ID = "load";
    public static final String RECORDS = "kafkaRecords";
    public static final String LOAD = "load";
    public static final String UNDELIVERED = "undelivered";
    /** Told each failed attempt at a load (monitor/LoadHealth). */
    public static final String LOAD_FAILED = "loadFailed";

    @BeanInject
    PipelineSettings settings;

    @Override
    public void configure() {
        PipelineSettings.Warehouse load = settings.warehouse();
        if (!load.loadEnabled()) {
            return;
        }
        errorHandler(defaultErrorHandler()
                // Readiness says so while a load fails (monitor/LoadHealth).
                .onExceptionOccurredRef(LOAD_FAILED)
                .maximumRedeliveries(5)
                .redeliveryDelay(load.retryDelayMs())
                .useExponentialBackOff()
                .retryAttemptedLogLevel(LoggingLevel.WARN));
        // Retrying cannot help: the pipeline stops, and the batch stays uncommitted (breakOnFirstError).
        onException(LoadRefusedException.class)
                .maximumRedeliveries(0)
                .handled(false)
                .bean(PipelineHalt.BEAN, "halt(${exception.message})");

        KafkaEndpoint kafka = endpoint("kafka:{{flightcdc.load.topics}}"
                + "?brokers={{flightcdc.kafka.bootstrap-servers}}"
                + "&groupId={{flightcdc.kafka.consumer-group}}"
                // A loader that crashed stays in the group until its session times out, and until then the
                // restarted one gets no partition: 10 s instead of Kafka's 45 s.
                + "&sessionTimeoutMs=10000"
                + "&autoOffsetReset=earliest"
                // The values as Kafka holds them, UTF-8: the loader parses JSON from bytes faster than from a String.
                + "&valueDeserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer"
                // Each consumer thread is given a share of the partitions. The range assignor gives a consumer the same
                // partition numbers of every topic, and load.TransactionBoundaries needs partition p of the transaction
                // topic where partition p of the change topics is read.
                + "&consumersCount=" + load.consumers()
                + "&partitionAssignor=org.apache.kafka.clients.consumer.RangeAssignor"
                + "&autoCommitEnable=false"
                + "&allowManualCommit=true"
                + "&breakOnFirstError=true"
                + "&batching=true"
                + "&maxPollRecords=" + load.maxBatch()
                // Kafka's own poll hands over all it holds, however many: Camel still cuts batches of maxPollRecords. A
                // poll that leaves records of one partition behind makes the next fetch ask only for the others, and a
                // fetch of partitions with nothing new (the transaction topic's, once its markers are read) waits at the
                // broker for up to fetch.max.wait.ms, 500 ms, with no other fetch to that broker meanwhile: a change
                // topic's backlog waited behind it, and the loader sat idle most of the time while catching up.
                + "&additionalProperties.max.poll.records=" + Integer.MAX_VALUE
                // Kafka hands out at most this much per partition and fetch (1 MiB by default, about 1,000 changes, or
                // some 7,000 compressed); set from the batch size.
                + "&maxPartitionFetchBytes=" + load.fetchBytesPerPartition()
                + "&pollTimeoutMs=" + load.maxWaitMs()
                // Without an interval a batch under steady traffic waits until it is full.
                + "&batchingIntervalMs=" + load.maxWaitMs(), KafkaEndpoint.class);
        // Several loaders (threads, or processes) share the partitions, and Kafka moves them as loaders come and go: a
        // consumer given one reads it from the warehouse's progress, not the group's. Set here, not bound in the
        // registry, where Camel would autowire it into every Kafka endpoint, the capture's and the YAML routes' too.
        // The beans are looked up when a consumer subscribes: the route is built before some are bound.
        kafka.setKafkaClientFactory(new HandoverKafkaClients(consumer -> new PartitionHandover(consumer,
                CamelContextHelper.mandatoryLookup(getContext(), "transactionBoundaries", TransactionBoundaries.class),
                CamelContextHelper.mandatoryLookup(getContext(), "warehouse", Warehouse.class),
                Set.copyOf(settings.changeTopics()),
                CamelContextHelper.mandatoryLookup(getContext(), PipelineHalt.BEAN, PipelineHalt.class)::halt)));

        from(kafka)
                .routeId(ROUTE_ID)
                .setProperty(RECORDS, body())
                .setProperty(UNDELIVERED, method(Undelivered.class, "of"))
                .bean(ReadSinceHandover.class, "only")
                .bean("changeBatchDecoder", "decode")
                .bean("transactionBoundaries", "cut(${body}, ${exchangeProperty." + UNDELIVERED + "})")
                .setProperty(LOAD, body())
                .bean("schemaEvolution", "follow")
                .bean("warehouse", "load")
                .bean("kafkaOffsets", "commit(${exchangeProperty." + RECORDS + "}, ${exchangeProperty." + LOAD + "})")
                .bean("loadProgress", "record");
    }
}
