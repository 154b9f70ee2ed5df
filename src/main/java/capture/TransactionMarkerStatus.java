package capture;

import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * A Kafka Connect transformation, run inside Debezium's engine, that lets the capture route tell a
 * transaction's END marker from its BEGIN. camel-debezium hands the route a record's {@code op},
 * {@code source} and {@code after} fields and drops the rest, and a marker has none of them: its status
 * ({@code BEGIN} or {@code END}), id and event counts would all be lost. Each marker is wrapped here as
 * {@code {op: status, after: marker}}, so the route reads the status as the operation and the marker as
 * the body. Every other record passes unchanged.
 *
 * <p>Configured with {@code transaction.topic}, the topic Debezium sends its markers to.
 */
public final class TransactionMarkerStatus implements Transformation<SourceRecord> {

    public static final String TOPIC_CONFIG = "transaction.topic";

    private String transactionTopic;
    private Schema wrapped;
    private Schema wrapper;

    @Override
    public SourceRecord apply(SourceRecord record) {
        if (!transactionTopic.equals(record.topic()) || !(record.value() instanceof Struct marker)) {
            return record;
        }
        Schema schema = wrapperOf(marker.schema());
        Struct value = new Struct(schema).put("op", marker.getString("status")).put("after", marker);
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(), schema, value,
                record.timestamp());
    }

    /** The markers' schema is the same for every one: the wrapper is built once. */
    private synchronized Schema wrapperOf(Schema markerSchema) {
        if (!markerSchema.equals(wrapped)) {
            wrapper = SchemaBuilder.struct().name("flightcdc.TransactionMarker")
                    .field("op", Schema.STRING_SCHEMA)
                    .field("after", markerSchema)
                    .build();
            wrapped = markerSchema;
        }
        return wrapper;
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef().define(TOPIC_CONFIG, ConfigDef.Type.STRING, ConfigDef.Importance.HIGH,
                "the topic Debezium sends transaction markers to: <topic prefix>.transaction");
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(TOPIC_CONFIG);
        if (topic == null) {
            throw new IllegalArgumentException(TransactionMarkerStatus.class.getSimpleName() + " needs " + TOPIC_CONFIG);
        }
        transactionTopic = topic.toString();
    }

    @Override
    public void close() {
    }
}
