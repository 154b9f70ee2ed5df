package capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.relational.TableId;
import io.debezium.schema.SchemaTopicNamingStrategy;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CachedTopicNamesTest {

    private static final List<TableId> TABLES = List.of(
            new TableId(null, "public", "flight_state"),
            new TableId(null, "Flights", "Mixed Case"),
            new TableId(null, "public", "naïve.table-name"),
            new TableId("flightcdc", "public", "with_catalog"));

    private final Properties props = props();
    private final SchemaTopicNamingStrategy debeziums = new SchemaTopicNamingStrategy(props);
    private final CachedTopicNames cached = new CachedTopicNames(props);

    @Test
    void namesEachTableAsDebeziumDoesAndKeepsTheName() {
        for (TableId table : TABLES) {
            String name = cached.dataChangeTopic(table);

            assertThat(name).isEqualTo(debeziums.dataChangeTopic(table));
            assertThat(cached.dataChangeTopic(new TableId(table.catalog(), table.schema(), table.table()))).isSameAs(name);
        }
        assertThat(cached.dataChangeTopic(TABLES.get(0))).isEqualTo("flightcdc.public.flight_state");
        assertThat(cached.transactionTopic()).isEqualTo(debeziums.transactionTopic());
        assertThat(cached.heartbeatTopic()).isEqualTo(debeziums.heartbeatTopic());
    }

    @Test
    void pastTheTablesItKeepsTheNamesAreStillDebeziums() {
        for (int i = 0; i <= CachedTopicNames.MAX_KEPT; i++) {
            cached.dataChangeTopic(new TableId(null, "public", "t" + i));
        }
        TableId beyond = new TableId(null, "public", "beyond");

        assertThat(cached.dataChangeTopic(beyond)).isEqualTo("flightcdc.public.beyond").isEqualTo(debeziums.dataChangeTopic(beyond));
    }

    private static Properties props() {
        Properties props = new Properties();
        props.setProperty("topic.prefix", "flightcdc");
        return props;
    }
}
