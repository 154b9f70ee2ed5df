package capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

/**
 * Puts a change from camel-debezium back into Debezium's own Kafka format: the key struct as
 * JSON, and the value as the envelope {before, after, source, transaction, op, ts_ms} without embedded
 * schemas, as Kafka Connect's JsonConverter writes it with Debezium's transaction metadata on. So any
 * Debezium consumer can read the topics. The transaction block ({id, total_order, data_collection_order})
 * comes from {@link TransactionOrder}; snapshot reads have none, as in Debezium.
 * A delete's tombstone (no value) stays a tombstone. The record goes to the topic Debezium named.
 * A transaction's END ({@link TransactionOrder.End}) is written as Debezium writes its END marker, with the
 * commit LSN before the transaction added, to partition 0 of the transaction topic: one partition keeps the
 * ends in commit order.
 *
 * <p>Key and value are UTF-8 bytes, for Kafka's ByteArraySerializer: the rows JsonConverter renders
 * are copied into the envelope as they are, not decoded to text and encoded again.
 */
public final class DebeziumJsonEnvelope implements Processor {

    /** Writes the envelope's tail as a sequence of root values, with nothing between them. */
    private static final JsonFactory JSON = new JsonFactoryBuilder().rootValueSeparator((String) null).build();
    private static final byte[] BEFORE = ascii("{\"before\":");
    private static final byte[] AFTER = ascii(",\"after\":");
    private static final byte[] SOURCE = ascii(",\"source\":");
    private static final byte[] NULL = ascii("null");

    private final JsonConverter converter = new JsonConverter();

    public DebeziumJsonEnvelope() {
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false",
                JsonConverterConfig.TYPE_CONFIG, "value"));
    }

    @Override
    public void process(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        String topic = in.getHeader(DebeziumConstants.HEADER_IDENTIFIER, String.class);
        TransactionOrder.End end = in.getHeader(TransactionOrder.END, TransactionOrder.End.class);
        if (end != null) {
            in.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
            in.setHeader(KafkaConstants.PARTITION_KEY, 0);
            in.setHeader(KafkaConstants.KEY, transactionKey(end));
            in.setBody(transactionEnd(end));
            return;
        }
        Struct key = in.getHeader(DebeziumConstants.HEADER_KEY, Struct.class);
        String op = in.getHeader(DebeziumConstants.HEADER_OPERATION, String.class);

        in.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
        in.setHeader(KafkaConstants.KEY, key == null ? null : json(topic, key));
        if (op == null) {
            in.setBody(null);
            return;
        }
        ByteArrayBuilder out = new ByteArrayBuilder(1024);
        out.write(BEFORE);
        out.write(json(topic, in.getHeader(DebeziumConstants.HEADER_BEFORE, Struct.class)));
        out.write(AFTER);
        out.write(json(topic, in.getBody(Struct.class)));
        out.write(SOURCE);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeMap(g, in.getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class));
            writeTransaction(g, in);
            g.writeRaw(",\"op\":");
            g.writeString(op);
            g.writeRaw(",\"ts_ms\":");
            g.writeObject(in.getHeader(DebeziumConstants.HEADER_TIMESTAMP));
            g.writeRaw('}');
        }
        in.setBody(out.toByteArray());
    }

    /** The key of Debezium's transaction markers: {id}. */
    private static byte[] transactionKey(TransactionOrder.End end) throws IOException {
        ByteArrayBuilder out = new ByteArrayBuilder(64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", end.id());
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    /** Debezium's END marker, {status, id, event_count, data_collections, ts_ms}, and last_commit_lsn. */
    private static byte[] transactionEnd(TransactionOrder.End end) throws IOException {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", "END");
            g.writeStringField("id", end.id());
            g.writeNumberField("event_count", end.eventCount());
            g.writeArrayFieldStart("data_collections");
            for (Map.Entry<String, Long> count : end.eventCounts().entrySet()) {
                g.writeStartObject();
                g.writeStringField("data_collection", count.getKey());
                g.writeNumberField("event_count", count.getValue());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeFieldName("ts_ms");
            g.writeObject(end.tsMs());
            g.writeNumberField("last_commit_lsn", end.lastCommitLsn());
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static void writeTransaction(JsonGenerator g, Message in) throws IOException {
        g.writeRaw(",\"transaction\":");
        String id = in.getHeader(TransactionOrder.TRANSACTION_ID, String.class);
        if (id == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeNumberField("total_order", in.getHeader(TransactionOrder.TOTAL_ORDER, Long.class));
        g.writeNumberField("data_collection_order", in.getHeader(TransactionOrder.TABLE_ORDER, Long.class));
        g.writeEndObject();
    }

    private static void writeMap(JsonGenerator g, Map<?, ?> map) throws IOException {
        g.writeStartObject();
        if (map != null) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                Object v = e.getValue();
                if (v == null) {
                    g.writeNull();
                } else if (v instanceof Number n) {
                    g.writeNumber(n.toString());
                } else if (v instanceof Boolean b) {
                    g.writeBoolean(b);
                } else {
                    g.writeString(v.toString());
                }
            }
        }
        g.writeEndObject();
    }

    private byte[] json(String topic, Struct struct) {
        return struct == null ? NULL : converter.fromConnectData(topic, struct.schema(), struct);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
