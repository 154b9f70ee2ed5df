package capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.camel.component.debezium.DebeziumTypeConverter;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class StructMapTest {

    private static final Schema SOURCE = SchemaBuilder.struct()
            .field("connector", Schema.STRING_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("snapshot", Schema.OPTIONAL_STRING_SCHEMA)
            .field("inner", SchemaBuilder.struct().field("x", Schema.OPTIONAL_INT32_SCHEMA).optional().build())
            .build();

    private final Struct source = new Struct(SOURCE).put("connector", "postgresql").put("lsn", 42L)
            .put("inner", new Struct(SOURCE.field("inner").schema()).put("x", 7));

    @Test
    void readsAsCamelDebeziumsCopyDoes() {
        Map<String, Object> view = new StructMap(source);

        assertThat(view).isEqualTo(DebeziumTypeConverter.toMap(source));
        assertThat(DebeziumTypeConverter.toMap(source)).isEqualTo(view);
        assertThat(view.get("lsn")).isEqualTo(42L);
        assertThat(view.get("snapshot")).isNull();
        assertThat(view.containsKey("snapshot")).isTrue();
        assertThat(view.get("inner")).isEqualTo(Map.of("x", 7));
        assertThat(view.get("no such field")).isNull();
        assertThat(view.containsKey("no such field")).isFalse();
        assertThat(view.get(1)).isNull();
    }

    @Test
    void keepsTheStructsFieldOrderAndIsReadOnly() {
        Map<String, Object> view = new StructMap(source);

        assertThat(view.keySet()).containsExactly("connector", "lsn", "snapshot", "inner");
        assertThat(view).hasSize(4);
        assertThatThrownBy(() -> view.put("snapshot", "true")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> view.entrySet().iterator().next().setValue("x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
