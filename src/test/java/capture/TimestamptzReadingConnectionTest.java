package capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.PostgresType;
import io.debezium.connector.postgresql.TypeRegistry;
import io.debezium.connector.postgresql.connection.ReplicationMessage;
import io.debezium.connector.postgresql.connection.ReplicationMessage.Column;
import io.debezium.connector.postgresql.connection.ReplicationMessage.Operation;
import io.debezium.connector.postgresql.connection.pgoutput.PgOutputReplicationMessage;
import java.lang.reflect.Constructor;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which of Debezium's pgoutput columns {@link TimestamptzReadingConnection} reads itself: the {@code timestamptz} ones of
 * a row change, each giving the value its text holds; every other column and message is handed on as Debezium made it.
 */
class TimestamptzReadingConnectionTest {

    private static final PostgresType TIMESTAMPTZ =
            new PostgresType.Builder(null, "timestamptz", 1184, Types.TIMESTAMP_WITH_TIMEZONE, -1, null).build();
    private static final PostgresType TEXT = new PostgresType.Builder(null, "text", 25, Types.VARCHAR, -1, null).build();

    @Test
    void readsTheTimestamptzColumnsOfARowChangeFromTheirText() {
        Column seen = pgoutputColumn("last_contact", TIMESTAMPTZ, "2026-12-04 12:00:00.123456+01");
        Column callsign = pgoutputColumn("callsign", TEXT, "DLH1");
        ReplicationMessage update = message(Operation.UPDATE, List.of(callsign, seen), List.of(callsign, seen));

        ReplicationMessage read = TimestamptzReadingConnection.withTimestamptzRead(update);

        for (List<Column> row : List.of(read.getOldTupleList(), read.getNewTupleList())) {
            assertThat(row.get(0)).isSameAs(callsign);
            assertThat(row.get(1)).isNotSameAs(seen);
            assertThat(row.get(1).getName()).isEqualTo("last_contact");
            assertThat(row.get(1).getType()).isSameAs(TIMESTAMPTZ);
            assertThat(row.get(1).getValue(null, false))
                    .isEqualTo(OffsetDateTime.parse("2026-12-04T11:00:00.123456Z"));
        }
        assertThat(read.getOperation()).isEqualTo(Operation.UPDATE);
        assertThat(read.getTable()).isEqualTo(update.getTable());
        assertThat(read.getTransactionId()).isEqualTo(update.getTransactionId());
        assertThat(read.getCommitTime()).isEqualTo(update.getCommitTime());
    }

    @Test
    void handsOnAsTheyAreMessagesWithoutTimestamptzColumns() {
        Column callsign = pgoutputColumn("callsign", TEXT, "DLH1");
        ReplicationMessage insert = message(Operation.INSERT, null, List.of(callsign));
        ReplicationMessage begin = message(Operation.BEGIN, null, null);

        assertThat(TimestamptzReadingConnection.withTimestamptzRead(insert)).isSameAs(insert);
        assertThat(TimestamptzReadingConnection.withTimestamptzRead(begin)).isSameAs(begin);
    }

    private static ReplicationMessage message(Operation operation, List<Column> oldRow, List<Column> newRow) {
        return new PgOutputReplicationMessage(operation, "\"public\".\"flight_state\"",
                Instant.parse("2026-12-04T11:00:01Z"), 754L, oldRow, newRow);
    }

    /** The column Debezium 3.4's pgoutput decoder makes (its anonymous class), holding {@code text} as it came. */
    private static Column pgoutputColumn(String name, PostgresType type, String text) {
        try {
            Class<?> column = Class.forName("io.debezium.connector.postgresql.connection.pgoutput.PgOutputMessageDecoder$1");
            Constructor<?> make = column.getDeclaredConstructor(String.class, PostgresType.class, String.class,
                    boolean.class, String.class, PostgresType.class, String.class, String.class, TypeRegistry.class);
            make.setAccessible(true);
            return (Column) make.newInstance(name, type, type.getName(), true, name, type, type.getName(), text, null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("Debezium's pgoutput column is not of Debezium 3.4's shape", e);
        }
    }
}
