package capture;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * A Struct read as a map of its field names to its values, nested structs as maps too, as camel-debezium's
 * {@code DebeziumTypeConverter.toMap} gives it, in the struct's field order. A view, not a copy: the capture puts each
 * change's source block in a header this way, and copying its 14 fields into a new HashMap for every change cost more
 * than the few reads of it that follow. Read-only.
 */
final class StructMap extends AbstractMap<String, Object> {

    private final Struct struct;

    StructMap(Struct struct) {
        this.struct = struct;
    }

    @Override
    public Object get(Object key) {
        Field field = key instanceof String name ? struct.schema().field(name) : null;
        return field == null ? null : value(field);
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof String name && struct.schema().field(name) != null;
    }

    @Override
    public int size() {
        return struct.schema().fields().size();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        List<Field> fields = struct.schema().fields();
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                Iterator<Field> next = fields.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return next.hasNext();
                    }

                    @Override
                    public Entry<String, Object> next() {
                        Field field = next.next();
                        return new SimpleImmutableEntry<>(field.name(), value(field));
                    }
                };
            }

            @Override
            public int size() {
                return fields.size();
            }
        };
    }

    private Object value(Field field) {
        Object value = struct.get(field);
        return value instanceof Struct nested ? new StructMap(nested) : value;
    }
}
