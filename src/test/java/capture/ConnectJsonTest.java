package capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.junit.jupiter.api.Test;

class ConnectJsonTest {

    private static final Schema ROW = SchemaBuilder.struct().name("server.public.t.Value")
            .field("i8", Schema.INT8_SCHEMA)
            .field("i16", Schema.OPTIONAL_INT16_SCHEMA)
            .field("i32", Schema.INT32_SCHEMA)
            .field("i64", Schema.INT64_SCHEMA)
            .field("f32", Schema.FLOAT32_SCHEMA)
            .field("f64", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("nan", Schema.FLOAT64_SCHEMA)
            .field("flag", Schema.BOOLEAN_SCHEMA)
            .field("text", Schema.OPTIONAL_STRING_SCHEMA)
            .field("bytes", Schema.BYTES_SCHEMA)
            .field("buffer", Schema.BYTES_SCHEMA)
            .field("list", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).build())
            .field("byName", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
            .field("byNumber", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build())
            .field("nested", SchemaBuilder.struct().field("x", Schema.OPTIONAL_INT64_SCHEMA).optional().build())
            .field("micros", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build())
            .field("decimal", Decimal.builder(3).build())
            .field("date", Date.SCHEMA)
            .field("time", Time.SCHEMA)
            .field("timestamp", Timestamp.SCHEMA)
            .build();

    @Test
    void writesWhatKafkasJsonConverterWritesWithSchemasOff() throws Exception {
        Map<String, Integer> byName = new LinkedHashMap<>();
        byName.put("a", 1);
        byName.put("b", 2);
        Struct row = new Struct(ROW)
                .put("i8", (byte) -8).put("i16", null).put("i32", 123_456).put("i64", Long.MAX_VALUE)
                .put("f32", 1.25f).put("f64", -0.1).put("nan", Double.NaN).put("flag", true)
                .put("text", "é \"quoted\" \n\u0001 ✈").put("bytes", new byte[] {0, 1, (byte) 255})
                .put("buffer", ByteBuffer.wrap(new byte[] {9, 8}))
                .put("list", List.of("x", "y")).put("byName", byName).put("byNumber", Map.of(7, "seven"))
                .put("nested", new Struct(ROW.field("nested").schema()).put("x", 5L))
                .put("micros", 1_700_000_000_123_456L)
                .put("decimal", new BigDecimal("-12.345"))
                .put("date", new java.util.Date(86_400_000L * 19_000))
                .put("time", new java.util.Date(45_296_789L))
                .put("timestamp", new java.util.Date(1_700_000_000_123L));

        assertThat(written(ROW, row)).isEqualTo(converted(ROW, row));
    }

    @Test
    void aNullStaysNullWhereKafkasConverterWritesTheColumnsDefault() throws Exception {
        Schema schema = SchemaBuilder.struct()
                .field("id", Schema.INT32_SCHEMA)
                .field("status", SchemaBuilder.string().optional().defaultValue("new").build())
                .build();
        Struct row = new Struct(schema).put("id", 1).put("status", null);

        assertThat(written(schema, row)).isEqualTo("{\"id\":1,\"status\":null}");
        assertThat(converted(schema, row)).isEqualTo("{\"id\":1,\"status\":\"new\"}");
    }

    private static String written(Schema schema, Object value) throws Exception {
        ByteArrayBuilder out = new ByteArrayBuilder();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            ConnectJson.write(g, schema, value);
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    private static String converted(Schema schema, Object value) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false",
                JsonConverterConfig.TYPE_CONFIG, "value"));
        return new String(converter.fromConnectData("t", schema, value), StandardCharsets.UTF_8);
    }
}
