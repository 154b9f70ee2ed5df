package capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/**
 * A transaction spread over three partitions, through {@link TransactionOrder} and {@link DebeziumJsonEnvelope} as the
 * capture route runs them: each change goes to its key's partition as Kafka's own partitioner would send it, its
 * number counts its table's changes of the transaction in that partition, a TRUNCATE goes to every partition, and
 * the transaction ends in each partition it touched with the counts of that partition.
 */
class TransactionOrderTest {

    private static final String TOPIC = "flightcdc.public.flight_state";
    private static final String TRANSACTION_TOPIC = "flightcdc.transaction";
    private static final int PARTITIONS = 3;
    private static final Schema KEY = SchemaBuilder.struct().field("icao24", Schema.STRING_SCHEMA).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CamelContext camel = new DefaultCamelContext();
    private final TransactionOrder order = new TransactionOrder(TRANSACTION_TOPIC, List.of(TOPIC), new KeyPartitioner(PARTITIONS));
    private final DebeziumJsonEnvelope envelope = new DebeziumJsonEnvelope();

    @Test
    void aTransactionIsNumberedAndEndedInEachPartitionItTouched() throws Exception {
        marker("BEGIN");
        List<Message> published = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            published.add(capture(change("c", "a" + i)));
        }
        published.addAll(records(capture(change("t", null))));
        List<Message> ends = records(marker("END"));

        Map<Integer, Long> counted = new HashMap<>();
        long totalOrder = 0;
        for (Message record : published) {
            int partition = record.getHeader(KafkaConstants.PARTITION_KEY, Integer.class);
            byte[] key = record.getHeader(KafkaConstants.KEY, byte[].class);
            JsonNode value = JSON.readTree(record.getBody(byte[].class));
            if (key != null) {
                assertThat(partition).as("Kafka's partition for the key").isEqualTo(BuiltInPartitioner.partitionForKey(key, PARTITIONS));
                assertThat(new String(key, StandardCharsets.UTF_8)).startsWith("{\"icao24\":\"a");
                totalOrder++;
                assertThat(value.path("transaction").path("total_order").asLong()).isEqualTo(totalOrder);
            }
            long number = counted.merge(partition, 1L, Long::sum);
            assertThat(value.path("transaction").path("data_collection_order").asLong())
                    .as("numbered within partition %d", partition).isEqualTo(number);
        }
        assertThat(counted).as("twelve keys over three partitions, and the TRUNCATE in each").hasSize(PARTITIONS);
        assertThat(published.subList(12, 15)).extracting(m -> m.getHeader(KafkaConstants.PARTITION_KEY)).containsExactly(0, 1, 2);

        assertThat(ends).hasSize(PARTITIONS);
        for (Message end : ends) {
            int partition = end.getHeader(KafkaConstants.PARTITION_KEY, Integer.class);
            assertThat(end.getHeader(KafkaConstants.OVERRIDE_TOPIC)).isEqualTo(TRANSACTION_TOPIC);
            JsonNode value = JSON.readTree(end.getBody(byte[].class));
            assertThat(value.path("id").asText()).isEqualTo("789");
            assertThat(value.path("event_count").asLong()).isEqualTo(counted.get(partition));
            assertThat(value.path("data_collections").get(0).path("event_count").asLong()).isEqualTo(counted.get(partition));
            assertThat(value.path("last_commit_lsn").asLong()).isEqualTo(24023128L);
        }
    }

    /** The message published for a change: the body as one record, or a list of records. */
    private Message capture(Exchange change) throws Exception {
        order.process(change);
        envelope.process(change);
        return change.getMessage();
    }

    @SuppressWarnings("unchecked")
    private static List<Message> records(Message published) {
        return (List<Message>) published.getBody(List.class);
    }

    private Message marker(String status) throws Exception {
        Exchange e = new DefaultExchange(camel);
        e.getMessage().setHeader(DebeziumConstants.HEADER_IDENTIFIER, TRANSACTION_TOPIC);
        e.getMessage().setHeader(DebeziumConstants.HEADER_OPERATION, status);
        return capture(e);
    }

    private Exchange change(String op, String icao24) {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("schema", "public");
        source.put("table", "flight_state");
        source.put("txId", 789L);
        source.put("sequence", "[\"24023128\",\"123456\"]");
        Exchange e = new DefaultExchange(camel);
        e.getMessage().setHeader(DebeziumConstants.HEADER_IDENTIFIER, TOPIC);
        e.getMessage().setHeader(DebeziumConstants.HEADER_KEY, icao24 == null ? null : new Struct(KEY).put("icao24", icao24));
        e.getMessage().setHeader(DebeziumConstants.HEADER_OPERATION, op);
        e.getMessage().setHeader(DebeziumConstants.HEADER_SOURCE_METADATA, source);
        e.getMessage().setHeader(DebeziumConstants.HEADER_TIMESTAMP, 1714557605100L);
        return e;
    }
}
