package warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import warehouse.ChangeEvent.Operation;

class SchemaEvolutionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableId TABLE = new TableId("public", "flight_state");
    private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
            new Column("icao24", ColumnType.TEXT, false),
            new Column("callsign", ColumnType.TEXT, false),
            new Column("velocity", ColumnType.DOUBLE, false)), List.of("icao24"));

    private final List<List<TableSchema>> prepared = new ArrayList<>();
    private final TestPositions positions = new TestPositions();

    /** Fields read by Jackson, in the table's order or not, with names of other String instances: none is new. */
    @Test
    void rowsOfKnownColumnsWidenNothingInWhateverOrderOrInstance() throws Exception {
        SchemaEvolution evolution = new SchemaEvolution(table -> SCHEMA, warehouse(), List.of(SCHEMA));
        ObjectNode built = JSON.createObjectNode();
        built.put(new String("velocity".toCharArray()), 1.5);
        built.put(new String("icao24".toCharArray()), "abc123");

        evolution.follow(ChangeBatch.of(List.of(
                change("{\"icao24\":\"abc123\",\"callsign\":\"DLH1\",\"velocity\":230.5}"),
                change("{\"velocity\":1.0,\"callsign\":null,\"icao24\":\"abc123\"}"),
                change("{\"icao24\":\"abc123\"}"),
                change(built))));

        assertThat(prepared).isEmpty();
    }

    /** A field the warehouse lacks, in the place of a known column or after them all, widens the table by it. */
    @Test
    void aFieldInAKnownColumnsPlaceOrAfterThemWidensTheTable() throws Exception {
        TableSchema gained = new TableSchema(TABLE, List.of(
                new Column("icao24", ColumnType.TEXT, false),
                new Column("remark", ColumnType.TEXT, false),
                new Column("callsign", ColumnType.TEXT, false),
                new Column("velocity", ColumnType.DOUBLE, false),
                new Column("gust", ColumnType.DOUBLE, false)), List.of("icao24"));
        SchemaEvolution evolution = new SchemaEvolution(table -> gained, warehouse(), List.of(SCHEMA));

        evolution.follow(ChangeBatch.of(List.of(change("{\"icao24\":\"abc123\",\"remark\":\"x\",\"callsign\":\"DLH1\"}"))));
        assertThat(prepared).singleElement().satisfies(tables -> assertThat(tables.get(0).columns())
                .extracting(Column::name).containsExactly("icao24", "callsign", "velocity", "remark", "gust"));

        evolution.follow(ChangeBatch.of(List.of(change("{\"icao24\":\"abc123\",\"remark\":\"y\",\"callsign\":\"DLH1\","
                + "\"velocity\":1.0,\"gust\":2.0}"))));
        assertThat(prepared).as("both are known once added").hasSize(1);
    }

    private ChangeEvent change(String row) throws Exception {
        return change((ObjectNode) JSON.readTree(row));
    }

    private ChangeEvent change(ObjectNode row) {
        return new ChangeEvent("flightcdc.public.flight_state", 0, 0, TABLE, Operation.CREATE, positions.next(1, 2),
                7L, 0L, row, row.toString());
    }

    private Warehouse warehouse() {
        return new Warehouse() {
            @Override
            public void prepare(List<TableSchema> tables) {
                prepared.add(tables);
            }

            @Override
            public LoadResult load(ChangeBatch batch) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Map<KafkaPartition, PartitionProgress> progress() {
                return Map.of();
            }

            @Override
            public void close() {
            }
        };
    }
}
