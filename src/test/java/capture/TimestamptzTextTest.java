package capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.connection.DateTimeFormat;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The text pgoutput carries for a {@code timestamptz}, read here and by Debezium's decoder: the same value for every
 * text of PostgreSQL's ISO form in years 1 to 9999, at every fractional width and in offsets of hours, minutes and
 * seconds (PostgreSQL writes a zone's local mean time to the second); null for what is left to Debezium.
 */
class TimestamptzTextTest {

    private static final List<String> OFFSETS = List.of("+00", "-03", "+05:30", "+05:45", "-09:30", "+14", "-12",
            "+00:53:28", "-00:25:21", "+01:24");

    @Test
    void readsWhatDebeziumReadsFromPostgresText() {
        Random random = new Random(16);
        long first = LocalDateTime.of(1, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
        long last = LocalDateTime.of(9999, 12, 31, 0, 0).toEpochSecond(ZoneOffset.UTC);
        for (int i = 0; i < 20_000; i++) {
            long seconds = first + (long) (random.nextDouble() * (last - first));
            int micros = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000_000);
                case 2 -> random.nextInt(10) * 100_000;
                default -> random.nextInt(1000) * 1000;
            };
            String text = postgresText(seconds, micros, OFFSETS.get(i % OFFSETS.size()));
            assertThat(TimestamptzText.utc(text)).as(text).isEqualTo(debezium(text));
        }
    }

    @Test
    void readsTheEdgesOfItsYearsAndDays() {
        for (String text : List.of("0001-01-01 00:00:00+00", "0001-01-01 00:00:00-12", "9999-12-31 23:59:59.999999+00",
                "9999-12-31 23:59:59.999999+14", "2024-02-29 23:59:59.5-00:25:21", "1970-01-01 00:00:00+00",
                "2026-12-04 08:52:49.123456789+00", "2026-12-04 08:52:49.1+01:24")) {
            assertThat(TimestamptzText.utc(text)).as(text).isNotNull().isEqualTo(debezium(text));
        }
    }

    @Test
    void leavesEveryOtherTextToDebezium() {
        for (String text : List.of("infinity", "-infinity", "4714-11-24 00:00:00+00 BC", "10000-01-01 00:00:00+00",
                "2026-12-04 08:52:49.1234567890+00", "2026-12-04 08:52:49.+00", "2026-12-04T08:52:49+00",
                "2026-12-04 08:52:49", "2026-12-04 08:52:49Z", "2026-12-04 08:52:49+0100", "2026-12-04 08:52:49+01:0",
                "2026-02-30 00:00:00+00", "2026-12-04 24:00:00+00", "2026-12-04 08:52:49+19", "2026-1a-04 08:52:49+00",
                "", "2026-12-04 08:52:49 +00")) {
            assertThat(TimestamptzText.utc(text)).as(text).isNull();
        }
    }

    @Test
    void debeziumsColumnsAreOfTheShapeWhoseTextItReads() {
        // Fails after a Debezium upgrade that reshapes its pgoutput columns: the capture would still be right, but slower.
        assertThat(TimestamptzReadingConnection.readsText()).isTrue();
    }

    /** What PostgreSQL writes: the local time at the offset, the fraction without its trailing zeros. */
    private static String postgresText(long epochSecond, int micros, String offset) {
        ZoneOffset zone = ZoneOffset.of(offset.length() == 3 ? offset + ":00" : offset);
        OffsetDateTime at = OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(epochSecond, micros * 1000L), zone)
                .truncatedTo(ChronoUnit.MICROS);
        if (at.getYear() < 1 || at.getYear() > 9999) {
            at = at.withYear(2000);
        }
        String text = at.toLocalDateTime().format(DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss"));
        if (micros > 0) {
            text += ("." + String.format("%06d", micros)).replaceAll("0+$", "");
        }
        return text + offset;
    }

    private static OffsetDateTime debezium(String text) {
        return DateTimeFormat.get().timestampWithTimeZoneToOffsetDateTime(text).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
