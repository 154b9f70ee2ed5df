package capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
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
 * JSON, and the value as the envelope {before, after, source, op, ts_ms} without embedded schemas,
 * as Kafka Connect's JsonConverter writes it. So any Debezium consumer can read the topics.
 * A delete's tombstone (no value) stays a tombstone. The record goes to the topic Debezium named.
 */
public final class DebeziumJsonEnvelope implements Processor {

    private static final JsonFactory JSON = new JsonFactory();

    private final JsonConverter converter = new JsonConverter();

    public DebeziumJsonEnvelope() {
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false",
                JsonConverterConfig.TYPE_CONFIG, "value"));
    }

    @Override
    public void process(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        String topic = in.getHeader(DebeziumConstants.HEADER_IDENTIFIER, String.class);
        Struct key = in.getHeader(DebeziumConstants.HEADER_KEY, Struct.class);
        String op = in.getHeader(DebeziumConstants.HEADER_OPERATION, String.class);

        in.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
        in.setHeader(KafkaConstants.KEY, key == null ? null : json(topic, key));
        if (op == null) {
            in.setBody(null);
            return;
        }
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("before");
            writeStruct(g, topic, in.getHeader(DebeziumConstants.HEADER_BEFORE, Struct.class));
            g.writeFieldName("after");
            writeStruct(g, topic, in.getBody(Struct.class));
            g.writeFieldName("source");
            writeMap(g, in.getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class));
            g.writeStringField("op", op);
            g.writeFieldName("ts_ms");
            g.writeObject(in.getHeader(DebeziumConstants.HEADER_TIMESTAMP));
            g.writeEndObject();
        }
        in.setBody(out.toString());
    }

    private void writeStruct(JsonGenerator g, String topic, Struct struct) throws IOException {
        if (struct == null) {
            g.writeNull();
        } else {
            g.writeRawValue(json(topic, struct));
        }
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

    private String json(String topic, Struct struct) {
        return new String(converter.fromConnectData(topic, struct.schema(), struct), StandardCharsets.UTF_8);
    }
}
