package capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.apache.kafka.connect.data.Struct;

/**
 * Puts a change from camel-debezium back into Debezium's own Kafka format: the key struct as
 * JSON (rendered by {@link TransactionOrder}, which partitions by it), and the value as the envelope {before, after, source, transaction, op, ts_ms} without embedded
 * schemas, as Kafka Connect's JsonConverter writes it with Debezium's transaction metadata on. So any
 * Debezium consumer can read the topics. The transaction block ({id, total_order, data_collection_order})
 * comes from {@link TransactionOrder}; snapshot reads have none, as in Debezium.
 * A delete's tombstone (no value) stays a tombstone. The record goes to the topic Debezium named.
 * A transaction's END ({@link TransactionOrder.End}) is written as Debezium writes its END marker, with the
 * commit LSN before the transaction added, once for each partition the transaction touched, to the same partition
 * of the transaction topic, with the counts of that partition: each partition of the transaction topic keeps the
 * ends of its partition in commit order.
 *
 * <p>Key and value are UTF-8 bytes, for Kafka's ByteArraySerializer, written in one pass ({@link ConnectJson}).
 */
public final class DebeziumJsonEnvelope implements Processor {

    private static final JsonFactory JSON = new JsonFactory();
    /**
     * Each thread's buffer for the envelopes it writes, emptied before each: a new one for every change, grown past its
     * first block and copied out, was a quarter of what the capture route's thread allocated (docs/performance.md).
     * Growth past its block is let go at each reset, so it keeps at most one block of Jackson's largest size.
     */
    private static final ThreadLocal<ByteArrayBuilder> ENVELOPE_BUFFER = ThreadLocal.withInitial(() -> new ByteArrayBuilder(4096));

    @Override
    public void process(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        String topic = in.getHeader(DebeziumConstants.HEADER_IDENTIFIER, String.class);
        List<?> ends = in.getHeader(TransactionOrder.END, List.class);
        if (ends != null) {
            in.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
            in.setBody(transactionEnds(exchange, topic, ends));
            return;
        }
        in.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
        String op = in.getHeader(DebeziumConstants.HEADER_OPERATION, String.class);
        if (op == null) {
            in.setBody(null);
            return;
        }
        long[] truncateOrders = in.getHeader(TransactionOrder.TRUNCATE_ORDERS, long[].class);
        if (truncateOrders != null) {
            in.setBody(truncateCopies(exchange, topic, op, truncateOrders));
            return;
        }
        in.setBody(envelope(in, op, in.getHeader(TransactionOrder.TABLE_ORDER, Long.class)));
    }

    /** A TRUNCATE, to every partition, each copy with its number there; camel-kafka sends each message of a list. */
    private static List<Message> truncateCopies(Exchange exchange, String topic, String op, long[] orders) throws IOException {
        List<Message> copies = new ArrayList<>(orders.length);
        for (int partition = 0; partition < orders.length; partition++) {
            Message copy = new DefaultMessage(exchange.getContext());
            copy.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
            copy.setHeader(KafkaConstants.PARTITION_KEY, partition);
            copy.setBody(envelope(exchange.getMessage(), op, orders[partition]));
            copies.add(copy);
        }
        return copies;
    }

    /** {before, after, source, transaction, op, ts_ms}; {@code tableOrder} the change's number in its partition. */
    private static byte[] envelope(Message in, String op, Long tableOrder) throws IOException {
        ByteArrayBuilder out = ENVELOPE_BUFFER.get();
        out.reset();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName(JsonNames.of("before"));
            writeRow(g, in.getHeader(DebeziumConstants.HEADER_BEFORE, Struct.class));
            g.writeFieldName(JsonNames.of("after"));
            // Not getBody(Struct.class), which asks Camel's type converters first, once per change.
            writeRow(g, in.getBody() instanceof Struct after ? after : null);
            g.writeFieldName(JsonNames.of("source"));
            writeMap(g, in.getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class));
            writeTransaction(g, in, tableOrder);
            g.writeFieldName(JsonNames.of("op"));
            g.writeString(op);
            g.writeFieldName(JsonNames.of("ts_ms"));
            g.writeObject(in.getHeader(DebeziumConstants.HEADER_TIMESTAMP));
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    /**
     * One record per partition the transaction touched, each to that partition of the transaction topic: camel-kafka
     * sends each message of a list as a record of its own.
     */
    private static List<Message> transactionEnds(Exchange exchange, String topic, List<?> ends) throws IOException {
        List<Message> records = new ArrayList<>(ends.size());
        for (Object part : ends) {
            TransactionOrder.End end = (TransactionOrder.End) part;
            Message record = new DefaultMessage(exchange.getContext());
            record.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
            record.setHeader(KafkaConstants.PARTITION_KEY, end.partition());
            record.setHeader(KafkaConstants.KEY, transactionKey(end));
            record.setBody(transactionEnd(end));
            records.add(record);
        }
        return records;
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

    private static void writeTransaction(JsonGenerator g, Message in, Long tableOrder) throws IOException {
        g.writeFieldName(JsonNames.of("transaction"));
        String id = in.getHeader(TransactionOrder.TRANSACTION_ID, String.class);
        if (id == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeFieldName(JsonNames.of("id"));
        g.writeString(id);
        g.writeFieldName(JsonNames.of("total_order"));
        g.writeNumber(in.getHeader(TransactionOrder.TOTAL_ORDER, Long.class));
        g.writeFieldName(JsonNames.of("data_collection_order"));
        g.writeNumber(tableOrder);
        g.writeEndObject();
    }

    private static void writeMap(JsonGenerator g, Map<?, ?> map) throws IOException {
        g.writeStartObject();
        if (map != null) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(JsonNames.of(String.valueOf(e.getKey())));
                Object v = e.getValue();
                if (v == null) {
                    g.writeNull();
                } else if (v instanceof Long n) {
                    // Straight into the generator's buffer: through a String, 3% of the capture route's thread.
                    g.writeNumber(n);
                } else if (v instanceof Integer n) {
                    g.writeNumber(n);
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

    private static void writeRow(JsonGenerator g, Struct row) throws IOException {
        if (row == null) {
            g.writeNull();
        } else {
            ConnectJson.write(g, row.schema(), row);
        }
    }
}
