package capture;

import io.debezium.config.CommonConnectorConfig.BinaryHandlingMode;
import io.debezium.connector.postgresql.PostgresConnectorConfig.HStoreHandlingMode;
import io.debezium.connector.postgresql.PostgresConnectorConfig.IntervalHandlingMode;
import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.jdbc.JdbcValueConverters.BigIntUnsignedMode;
import io.debezium.jdbc.JdbcValueConverters.DecimalMode;
import io.debezium.jdbc.TemporalPrecisionMode;
import io.debezium.relational.Column;
import io.debezium.time.ZonedTimestamp;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.kafka.connect.data.Field;

/**
 * One timestamptz value of a plain timestamptz column (6 digits of fraction) made into text, as the stream hands it
 * over (an OffsetDateTime in UTC): Debezium's converter against capture.ZonedTimestampText, in one JVM, five rounds
 * of 2,000,000 values each (the first rounds are the JIT's warm-up). Run by timestamptz-text.sh.
 */
public class TimestamptzText extends PostgresValueConverter {

    TimestamptzText() {
        super(StandardCharsets.UTF_8, DecimalMode.STRING, TemporalPrecisionMode.MICROSECONDS, ZoneOffset.UTC,
                BigIntUnsignedMode.LONG, false, null, HStoreHandlingMode.JSON, BinaryHandlingMode.HEX,
                IntervalHandlingMode.STRING, null, 2);
    }

    public static void main(String[] args) {
        TimestamptzText debezium = new TimestamptzText();
        Column column = Column.editor().name("at").type("timestamptz").jdbcType(Types.TIMESTAMP_WITH_TIMEZONE)
                .scale(6).optional(true).create();
        Field field = new Field("at", 0, ZonedTimestamp.builder().optional().build());
        ZonedTimestampText ours = new ZonedTimestampText(6);
        OffsetDateTime[] values = new OffsetDateTime[1024];
        for (int i = 0; i < values.length; i++) {
            values[i] = OffsetDateTime.ofInstant(Instant.ofEpochSecond(1_700_000_000L + i * 37L, i * 1_000_123L), ZoneOffset.UTC);
        }
        int n = 2_000_000;
        for (int round = 1; round <= 5; round++) {
            long characters = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                characters += ((String) debezium.convertTimestampWithZone(column, field, values[i & 1023])).length();
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                characters += ours.of(values[i & 1023]).length();
            }
            long t2 = System.nanoTime();
            System.out.printf("round %d: Debezium %.0f ns a value, ZonedTimestampText %.0f ns (%d characters)%n",
                    round, (t1 - t0) / (double) n, (t2 - t1) / (double) n, characters);
        }
    }
}
