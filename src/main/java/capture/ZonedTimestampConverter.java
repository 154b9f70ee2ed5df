package capture;

import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import io.debezium.time.ZonedTimestamp;
import java.util.Properties;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * Debezium's converter for {@code timestamptz} columns, put in its place through Debezium's {@code converters} setting:
 * the same schema ({@code io.debezium.time.ZonedTimestamp}) and the same text (see {@link ZonedTimestampText} for why).
 * Debezium itself still marks the field optional and sets its default value, from this converter's value for the
 * column's default. Every other column keeps Debezium's converter, arrays and domains over {@code timestamptz} included.
 */
public final class ZonedTimestampConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {

    /** The name under which the capture lists it in Debezium's {@code converters}. */
    public static final String NAME = "zonedTimestamp";

    @Override
    public void configure(Properties properties) {
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        if (!"timestamptz".equals(column.typeName())) {
            return;
        }
        // Debezium's fractional width: the column's scale, or else its length.
        Integer width = column.scale().isPresent() ? Integer.valueOf(column.scale().getAsInt())
                : column.length().isPresent() ? Integer.valueOf(column.length().getAsInt()) : null;
        ZonedTimestampText text = new ZonedTimestampText(width);
        // A null where the column allows none (an old row that holds only the key): the column's default, or the epoch.
        Object whenNull = column.isOptional() ? null
                : column.hasDefaultValue() && column.defaultValue() != null ? text.of(column.defaultValue())
                : ZonedTimestampText.fallback();
        registration.register(ZonedTimestamp.builder(), value -> value == null ? whenNull : text.of(value));
    }
}
