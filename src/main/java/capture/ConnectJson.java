package capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Writes Kafka Connect data (a Debezium row or key) as JSON, as Kafka's JsonConverter writes it with schemas off,
 * but straight into the generator: JsonConverter builds a tree of JSON nodes first and then renders it, which was a
 * good part of the capture's cost per change.
 *
 * <p>One difference, on purpose: a null is written as null. JsonConverter ({@code replace.null.with.default}, on by
 * default) writes a field's default in its place, and Debezium gives each column the default it has in PostgreSQL:
 * a row written with an explicit NULL would reach the warehouse holding the column's default.
 */
final class ConnectJson {

    private static final JsonFactory JSON = new JsonFactory();

    private ConnectJson() {
    }

    /** A row or key as UTF-8 JSON; null for none. */
    static byte[] bytes(Struct row) throws IOException {
        if (row == null) {
            return null;
        }
        ByteArrayBuilder out = new ByteArrayBuilder(128);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g, row.schema(), row);
        }
        return out.toByteArray();
    }

    static void write(JsonGenerator g, Schema schema, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
            return;
        }
        if (schema.name() != null && writeLogical(g, schema, value)) {
            return;
        }
        switch (schema.type()) {
            case INT8 -> g.writeNumber((Byte) value);
            case INT16 -> g.writeNumber((Short) value);
            case INT32 -> g.writeNumber((Integer) value);
            case INT64 -> g.writeNumber((Long) value);
            case FLOAT32 -> g.writeNumber((Float) value);
            case FLOAT64 -> g.writeNumber((Double) value);
            case BOOLEAN -> g.writeBoolean((Boolean) value);
            case STRING -> g.writeString(value.toString());
            case BYTES -> g.writeBinary(value instanceof ByteBuffer buffer ? buffer.array() : (byte[]) value);
            case ARRAY -> {
                g.writeStartArray();
                for (Object element : (Collection<?>) value) {
                    write(g, schema.valueSchema(), element);
                }
                g.writeEndArray();
            }
            case MAP -> writeMap(g, schema, (Map<?, ?>) value);
            case STRUCT -> {
                Struct struct = (Struct) value;
                g.writeStartObject();
                for (Field field : schema.fields()) {
                    g.writeFieldName(JsonNames.of(field.name()));
                    write(g, field.schema(), valueWithoutDefault(struct, field));
                }
                g.writeEndObject();
            }
        }
    }

    /**
     * The field's value as the row holds it, null included. Struct's own lookup without the default goes by the field's
     * name, a hash lookup for each column of each change (6% of the capture route's thread); by the field itself it is
     * an index, and it differs only where the field has a default, which then goes by name.
     */
    private static Object valueWithoutDefault(Struct struct, Field field) {
        return field.schema().defaultValue() == null ? struct.get(field) : struct.getWithoutDefault(field.name());
    }

    /** Kafka Connect's own logical types, as JsonConverter writes them (decimals as base64, its default); false for others. */
    private static boolean writeLogical(JsonGenerator g, Schema schema, Object value) throws IOException {
        switch (schema.name()) {
            case Decimal.LOGICAL_NAME -> g.writeBinary(Decimal.fromLogical(schema, (BigDecimal) value));
            case Date.LOGICAL_NAME -> g.writeNumber(Date.fromLogical(schema, (java.util.Date) value));
            case Time.LOGICAL_NAME -> g.writeNumber(Time.fromLogical(schema, (java.util.Date) value));
            case Timestamp.LOGICAL_NAME -> g.writeNumber(Timestamp.fromLogical(schema, (java.util.Date) value));
            default -> {
                return false;
            }
        }
        return true;
    }

    /** An object when the keys are strings; otherwise an array of [key, value] pairs. */
    private static void writeMap(JsonGenerator g, Schema schema, Map<?, ?> map) throws IOException {
        boolean object = schema.keySchema().type() == Schema.Type.STRING;
        if (object) {
            g.writeStartObject();
        } else {
            g.writeStartArray();
        }
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (object) {
                g.writeFieldName(String.valueOf(entry.getKey()));
            } else {
                g.writeStartArray();
                write(g, schema.keySchema(), entry.getKey());
            }
            write(g, schema.valueSchema(), entry.getValue());
            if (!object) {
                g.writeEndArray();
            }
        }
        if (object) {
            g.writeEndObject();
        } else {
            g.writeEndArray();
        }
    }
}
