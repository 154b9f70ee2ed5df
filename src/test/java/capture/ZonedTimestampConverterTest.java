package capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.config.CommonConnectorConfig.BinaryHandlingMode;
import io.debezium.connector.postgresql.PostgresConnectorConfig.HStoreHandlingMode;
import io.debezium.connector.postgresql.PostgresConnectorConfig.IntervalHandlingMode;
import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.jdbc.JdbcValueConverters.BigIntUnsignedMode;
import io.debezium.jdbc.JdbcValueConverters.DecimalMode;
import io.debezium.jdbc.TemporalPrecisionMode;
import io.debezium.relational.Column;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import io.debezium.time.ZonedTimestamp;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

/**
 * The converter against Debezium's own: for every width a {@code timestamptz} column can have, values from the snapshot
 * (JDBC's {@link Timestamp}) and from the stream ({@link OffsetDateTime} in UTC), the infinities, values outside the
 * years 0 to 9999 and in other offsets, and nulls, each must give the very text {@code PostgresValueConverter} gives.
 */
class ZonedTimestampConverterTest {

    /** Widths as Debezium reads them: none (length unset), 0 to 9, and one past it. */
    private static final List<Integer> WIDTHS = List.of(-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);

    private final DebeziumOwn debezium = new DebeziumOwn();
    private final Random random = new Random(20261201);

    @Test
    void everyValueIsWrittenAsDebeziumWritesIt() {
        List<Object> values = new ArrayList<>(List.of(
                OffsetDateTime.parse("2026-12-01T10:15:30Z"),
                OffsetDateTime.parse("2026-12-01T10:15:30.1Z"),
                OffsetDateTime.parse("2026-12-01T10:15:30.000001Z"),
                OffsetDateTime.parse("2026-12-01T10:15:30.123456789Z"),
                OffsetDateTime.parse("2026-12-01T10:15:30.100200300Z"),
                OffsetDateTime.parse("0000-01-01T00:00:00Z"),
                OffsetDateTime.parse("9999-12-31T23:59:59.999999Z"),
                OffsetDateTime.parse("+10000-01-01T00:00:00.5Z"),
                OffsetDateTime.parse("-0044-03-15T12:00:00.25Z"),
                OffsetDateTime.parse("2026-12-01T10:15:30.5+02:00"),
                Timestamp.from(Instant.parse("1970-01-01T00:00:00Z")),
                Timestamp.from(Instant.parse("2026-12-01T10:15:30.123456Z")),
                PostgresValueConverter.POSITIVE_INFINITY_TIMESTAMP,
                PostgresValueConverter.NEGATIVE_INFINITY_TIMESTAMP,
                PostgresValueConverter.POSITIVE_INFINITY_OFFSET_DATE_TIME,
                PostgresValueConverter.NEGATIVE_INFINITY_OFFSET_DATE_TIME));
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_800L), nanos());
            values.add(random.nextBoolean() ? OffsetDateTime.ofInstant(instant, ZoneOffset.UTC) : Timestamp.from(instant));
        }

        for (int width : WIDTHS) {
            for (boolean hasScale : List.of(true, false)) {
                Column column = timestamptz(hasScale ? width : null, hasScale ? -1 : width, true);
                var ours = ours(column);
                for (Object value : values) {
                    assertThat(ours.convert(value)).as("%s at width %d", value, width)
                            .isEqualTo(debezium.convert(column, value));
                }
            }
        }
    }

    @Test
    void aNullIsNullWhereTheColumnAllowsItAndOtherwiseTheDefaultOrTheEpoch() {
        Column nullable = timestamptz(6, -1, true);
        Column required = timestamptz(6, -1, false);

        assertThat(ours(nullable).convert(null)).isNull();
        assertThat(debezium.convert(nullable, null)).isNull();
        assertThat(ours(required).convert(null)).isEqualTo(debezium.convert(required, null)).isEqualTo("1970-01-01T00:00:00Z");

        Column withDefault = required.edit().defaultValueExpression("'2024-02-29 12:00:00+00'").create();
        OffsetDateTime parsedDefault = OffsetDateTime.parse("2024-02-29T12:00:00Z");
        Registration registered = register(withDefault, parsedDefault);
        assertThat(registered.converter.convert(null)).isEqualTo("2024-02-29T12:00:00.000000Z");
    }

    @Test
    void onlyTimestamptzColumnsAreTakenOver() {
        Column plainTimestamp = Column.editor().name("at").type("timestamp").jdbcType(Types.TIMESTAMP).length(6)
                .optional(true).create();
        assertThat(register(plainTimestamp, null).schema).isNull();

        Registration timestamptz = register(timestamptz(6, -1, true), null);
        assertThat(timestamptz.schema.name()).isEqualTo(ZonedTimestamp.SCHEMA_NAME);
    }

    private int nanos() {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000_000) * 1_000;
            case 2 -> random.nextInt(1_000) * 1_000_000;
            default -> random.nextInt(1_000_000_000);
        };
    }

    private static Column timestamptz(Integer scale, int length, boolean optional) {
        var editor = Column.editor().name("at").type("timestamptz").jdbcType(Types.TIMESTAMP_WITH_TIMEZONE)
                .length(length).optional(optional);
        if (scale != null) {
            editor.scale(scale);
        }
        return editor.create();
    }

    private static CustomConverter.Converter ours(Column column) {
        return register(column, null).converter;
    }

    private static Registration register(Column column, Object parsedDefault) {
        Registration registration = new Registration();
        new ZonedTimestampConverter().converterFor(new Relational(column, parsedDefault), registration);
        return registration;
    }

    private static final class Registration implements CustomConverter.ConverterRegistration<SchemaBuilder> {
        SchemaBuilder schema;
        CustomConverter.Converter converter;

        @Override
        public void register(SchemaBuilder fieldSchema, CustomConverter.Converter converter) {
            this.schema = fieldSchema;
            this.converter = converter;
        }
    }

    /** A column as Debezium hands it to a custom converter. */
    private record Relational(Column column, Object defaultValue) implements RelationalColumn {
        @Override
        public String name() {
            return column.name();
        }

        @Override
        public String dataCollection() {
            return "public.t";
        }

        @Override
        public int jdbcType() {
            return column.jdbcType();
        }

        @Override
        public int nativeType() {
            return column.nativeType();
        }

        @Override
        public String typeName() {
            return column.typeName();
        }

        @Override
        public String typeExpression() {
            return column.typeExpression();
        }

        @Override
        public OptionalInt length() {
            return column.length() == Column.UNSET_INT_VALUE ? OptionalInt.empty() : OptionalInt.of(column.length());
        }

        @Override
        public OptionalInt scale() {
            return column.scale().map(OptionalInt::of).orElse(OptionalInt.empty());
        }

        @Override
        public boolean isOptional() {
            return column.isOptional();
        }

        @Override
        public boolean hasDefaultValue() {
            return column.hasDefaultValue();
        }
    }

    /** Debezium's own conversion of a {@code timestamptz} value, as its PostgreSQL connector is configured here. */
    private static final class DebeziumOwn extends PostgresValueConverter {
        DebeziumOwn() {
            super(StandardCharsets.UTF_8, DecimalMode.STRING, TemporalPrecisionMode.MICROSECONDS, ZoneOffset.UTC,
                    BigIntUnsignedMode.LONG, false, null, HStoreHandlingMode.JSON, BinaryHandlingMode.HEX,
                    IntervalHandlingMode.STRING, null, 2);
        }

        Object convert(Column column, Object value) {
            return convertTimestampWithZone(column, new Field(column.name(), 0,
                    column.isOptional() ? ZonedTimestamp.builder().optional().build() : ZonedTimestamp.schema()), value);
        }
    }
}
