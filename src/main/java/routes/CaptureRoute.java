package routes;

import app.CaptureConfiguration;
import app.PipelineHalt;
import capture.AcknowledgedKafkaPublisher;
import capture.AcknowledgedOffsetStore;
import capture.CachedTopicNames;
import capture.CaptureRestarts;
import capture.LeanPostgresConnector;
import capture.StartPosition;
import capture.TransactionMarkerStatus;
import capture.ZonedTimestampConverter;
import java.time.Duration;
import monitor.PipelineMetrics;
import org.apache.camel.BeanInject;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.RouteBuilder;
import settings.PipelineSettings;
import source.Heartbeat;
import warehouse.UnavailableValue;

/**
 * PostgreSQL WAL → Kafka: Debezium reads the logical replication stream; each change goes to its
 * table's topic. Changes are published without waiting for each acknowledgement; Debezium's position
 * is stored only once every change before it is in Kafka (see AcknowledgedOffsetStore). Heartbeats
 * keep the replication slot moving while the captured tables are idle (see Heartbeat); they are not
 * changes and are not published. On a first start against a table that holds rows, Debezium reads them
 * all first (op 'r'); SnapshotProgress reports on that. Each streamed change is numbered within its
 * transaction (TransactionOrder), which with the source position makes its identity exact; the end of each
 * transaction is published too, so that the loader can apply transactions whole. A snapshot that
 * starts over, over the rows of one cut off before, first truncates the tables it replaces (SnapshotStart).
 */
public class CaptureRoute extends RouteBuilder {

    public static final String ROUTE_ID = "capture";
    public static final String PUBLISH_ID = "publish-to-kafka";

    /** What the Kafka producer reserves for records waiting to be sent, at least: its own default. */
    private static final long MIN_PRODUCER_BUFFER_BYTES = 32L << 20;

    @BeanInject
    PipelineSettings settings;

    @PropertyInject("flightcdc.kafka.bootstrap-servers")
    String bootstrapServers;

    @BeanInject(PipelineHalt.BEAN)
    PipelineHalt halt;

    @BeanInject
    PipelineMetrics metrics;

    @Override
    public void configure() {
        if (!settings.capture().enabled()) {
            return;
        }
        int maxRecordBytes = settings.kafka().maxRecordBytes();
        // The producer's buffer must hold the largest record, and the next ones while it is sent.
        long producerBufferBytes = Math.max(MIN_PRODUCER_BUFFER_BYTES, 2L * maxRecordBytes);
        // A change the route fails on is not skipped (camel-debezium would count it as done): no position is stored
        // past it, and the capture restarts from the last one whose changes are all in Kafka, as when Kafka refuses one.
        // Not retried in place: for that, Camel's error handler would copy each change at every step of the route.
        CaptureRestarts restarts = new CaptureRestarts();
        onException(Exception.class).handled(true).process(restarts::failedBeforeKafka);

        from("debezium-postgres:" + StartPosition.ENGINE
                + "?databaseHostname={{flightcdc.source.host}}"
                + "&databasePort={{flightcdc.source.port}}"
                + "&databaseDbname={{flightcdc.source.database}}"
                + "&databaseUser={{flightcdc.source.user}}"
                + "&databasePassword=RAW({{flightcdc.source.password}})"
                + "&databaseSslmode={{flightcdc.source.sslmode}}"
                + settings.source().tls().rootCert().map(cert -> "&databaseSslrootcert=RAW(" + cert.toAbsolutePath() + ")").orElse("")
                + "&topicPrefix={{flightcdc.kafka.topic-prefix}}"
                + "&tableIncludeList={{flightcdc.capture.streamed-tables}}"
                + "&pluginName=pgoutput"
                + "&slotName={{flightcdc.source.slot}}"
                + "&publicationName={{flightcdc.source.publication}}"
                + "&publicationAutocreateMode=filtered"
                // A partitioned table's changes happen in its partitions: published under their own names, the
                // capture (which names the partitioned table) would never see them. Through the root, they arrive
                // as the table's; a row moved between partitions is a delete and a create, as a key update is.
                + "&publishViaPartitionRoot=true"
                // Every value exactly, in a form the loader reads (warehouse/StageText): numeric as its decimal
                // text; interval as ISO-8601 parts (the numeric mode takes a month for 30.4375 days); time and
                // timestamp as microseconds whatever their declared precision (the adaptive mode sends
                // timestamp(0..3) as milliseconds); bytea as hex, which no unavailable-value placeholder can
                // be taken for (base64 mode sends an unchanged TOASTed bytea as NULL); and a placeholder no
                // text value can equal (warehouse/UnavailableValue).
                + "&decimalHandlingMode=string"
                + "&intervalHandlingMode=string"
                + "&timePrecisionMode=microseconds"
                + "&binaryHandlingMode=hex"
                + "&unavailableValuePlaceholder=" + UnavailableValue.DEBEZIUM_SETTING
                // timestamptz as Debezium writes it, without a new date formatter for every value.
                + "&additionalProperties.converters=" + ZonedTimestampConverter.NAME
                + "&additionalProperties." + ZonedTimestampConverter.NAME + ".type=" + ZonedTimestampConverter.class.getName()
                // Debezium puts its context (connector, task) in headers on every record, built for each; the capture
                // makes its exchanges without them (capture/LeanDebeziumComponent), so they were built for nothing.
                // camel-debezium's own option: it overrides the same setting given in additionalProperties.
                + "&extendedHeadersEnabled=false"
                // The initial snapshot reads each table in rows of this many: camel-debezium passes its own default, 0,
                // which Debezium hands to PostgreSQL's driver as "all rows at once", and a table larger than the heap
                // ended the first start with an OutOfMemoryError. 10,240 is Debezium's own default for PostgreSQL.
                + "&snapshotFetchSize=10240"
                + "&tombstonesOnDelete=true"
                // Debezium skips TRUNCATE by default; the warehouse applies it like any other change.
                + "&skippedOperations=none"
                // BEGIN and END markers on <prefix>.transaction: TransactionOrder counts each transaction's changes,
                // and publishes each END, which it tells from a BEGIN through TransactionMarkerStatus.
                + "&provideTransactionMetadata=true"
                + "&additionalProperties.transforms=markerStatus"
                + "&additionalProperties.transforms.markerStatus.type=" + TransactionMarkerStatus.class.getName()
                + "&additionalProperties.transforms.markerStatus." + TransactionMarkerStatus.TOPIC_CONFIG
                + "={{flightcdc.kafka.topic-prefix}}.transaction"
                // Debezium sleeps this long whenever the replication socket has nothing buffered, which
                // under load happens between bursts: 100 ms capped the capture well below its CPU limit.
                + "&pollIntervalMs=10"
                // ... and with nothing to read, its engine would ask its queue for changes a hundred times a second.
                + "&additionalProperties.connector.class=" + LeanPostgresConnector.class.getName()
                // Debezium's topic names, found for each change without its cache's lock. camel-debezium's own option.
                + "&topicNamingStrategy=" + CachedTopicNames.class.getName()
                // Debezium queues up to 8,192 changes; with changes of megabytes each, that is more than the heap.
                + "&maxQueueSizeInBytes=" + 4L * maxRecordBytes
                // Between its decoding thread and the engine's, Debezium queues 8,192 changes by default, taken in batches
                // of 2,048. While the capture catches up the queue stays full, and every young collection copies what
                // it holds: half of that cut the collector's share of catching up from 11.4 to 5.8 µs per change.
                + "&maxQueueSize=4096"
                + "&maxBatchSize=1024"
                + "&offsetStorage=" + AcknowledgedOffsetStore.class.getName()
                + "&offsetStorageFileName={{flightcdc.capture.offsets-file}}"
                + "&offsetFlushIntervalMs=1000"
                + "&heartbeatIntervalMs={{flightcdc.source.heartbeat-interval-ms}}"
                + "&heartbeatActionQuery=RAW{" + Heartbeat.actionQuery(settings.source().schema()) + "}")
                .routeId(ROUTE_ID)
                // Debezium's structs and the envelope's bytes are never streams; Camel would look at every change's body
                // before each step to see whether to cache it.
                .noStreamCaching()
                // Every record, heartbeat table included: the snapshot's last row may be the heartbeat's.
                // Processors and predicates by reference, not bean methods: they run for every change,
                // and bean binding costs a reflective call and an expression evaluation each time.
                .process("snapshotProgress")
                .process("transactionOrder")
                .filter().ref("capturedChanges")
                .process(CaptureConfiguration.CAPTURED_CHANGES_COUNTER)
                .process("snapshotStart")
                .process("debeziumJsonEnvelope")
                .process(new AcknowledgedKafkaPublisher(maxRecordBytes, producerBufferBytes,
                        Duration.ofMillis(settings.kafka().maxBlockMs()),
                        settings.kafka().clientProperties(bootstrapServers), "kafka:{{flightcdc.kafka.topic-prefix}}"
                        + "?brokers={{flightcdc.kafka.bootstrap-servers}}"
                        + "&requestRequiredAcks=all"
                        // DebeziumJsonEnvelope renders key and value as UTF-8 JSON bytes.
                        + "&keySerializer=org.apache.kafka.common.serialization.ByteArraySerializer"
                        + "&valueSerializer=org.apache.kafka.common.serialization.ByteArraySerializer"
                        + "&enableIdempotence=true"
                        // A change not acknowledged in time, or not even taken, restarts the capture from its last
                        // stored position (AcknowledgedKafkaPublisher): a producer stuck retrying is not left alive.
                        + "&deliveryTimeoutMs={{flightcdc.kafka.delivery-timeout-ms}}"
                        + "&maxBlockMs={{flightcdc.kafka.max-block-ms}}"
                        // Large batches: with 16 KB batches and 5 ms the broker and the producer's network thread
                        // cost about 170 µs per change; with 256 KB and 20 ms, under 60. 20 ms is little next to the load's wait.
                        + "&lingerMs=20"
                        // Each batch compressed (lz4 by default): seven times fewer bytes for the broker to write and serve
                        // and the loader to fetch, which costs the broker and the producer's network thread half their CPU
                        // per change for about a microsecond of compressing.
                        + "&compressionCodec=" + settings.kafka().compression()
                        + "&producerBatchSize=262144"
                        // A larger change is refused before it is sent, and halts the pipeline (AcknowledgedKafkaPublisher).
                        + "&maxRequestSize=" + maxRecordBytes
                        + "&bufferMemorySize=" + producerBufferBytes, halt::halt, metrics::published, restarts)).id(PUBLISH_ID);
    }
}
