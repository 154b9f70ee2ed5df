package warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import warehouse.ChangeEvent.Operation;
import warehouse.StageRows.StageRow;

/**
 * What a change lacks (Debezium's placeholder, the columns a key-only delete leaves out) is taken from the
 * run's earlier changes of its key where there are some, and otherwise flagged for the current state.
 */
class StageRowsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PLACEHOLDER = JSON.valueToTree(UnavailableValue.PLACEHOLDER).toString();
    private static final List<Column> COLUMNS = List.of(
            new Column("id", ColumnType.INTEGER, false),
            new Column("note", ColumnType.TEXT, false),
            new Column("body", ColumnType.TEXT, false),
            new Column("tags", ColumnType.TEXT, true));
    private static final TableSchema DEFAULT_IDENTITY = new TableSchema(new TableId("public", "notes"), COLUMNS,
            List.of("id"), false);
    private static final TableSchema FULL_IDENTITY = new TableSchema(new TableId("public", "notes"), COLUMNS, List.of("id"));

    private final TestPositions positions = new TestPositions();
    private long offset;

    @Test
    void aChangeCarryingEveryValueIsStagedAsItIs() throws Exception {
        List<StageRow> rows = StageRows.of(DEFAULT_IDENTITY, List.of(
                change(Operation.CREATE, "{\"id\":1,\"note\":null,\"body\":\"text\",\"tags\":[\"a\",null]}")));

        assertThat(rows.get(0).values()).containsExactly("1", null, "text", "[\"a\",null]");
        assertThat(rows.get(0).unavailable()).isNull();
    }

    @Test
    void anUnchangedToastedValueIsFlaggedForTheCurrentStateNeverStaged() throws Exception {
        List<StageRow> rows = StageRows.of(DEFAULT_IDENTITY, List.of(change(Operation.UPDATE,
                "{\"id\":1,\"note\":\"n\",\"body\":" + PLACEHOLDER + ",\"tags\":[" + PLACEHOLDER + "]}")));

        assertThat(rows.get(0).values()).containsExactly("1", "n", null, null);
        assertThat(rows.get(0).unavailable()).isEqualTo("0011");
    }

    @Test
    void anEarlierChangeOfTheSameKeyInTheRunGivesTheValueANullIncluded() throws Exception {
        List<StageRow> rows = StageRows.of(DEFAULT_IDENTITY, List.of(
                change(Operation.CREATE, "{\"id\":1,\"note\":null,\"body\":\"big\",\"tags\":null}"),
                change(Operation.UPDATE, "{\"id\":2,\"note\":\"other\",\"body\":" + PLACEHOLDER + ",\"tags\":null}"),
                change(Operation.UPDATE, "{\"id\":1,\"note\":" + PLACEHOLDER + ",\"body\":" + PLACEHOLDER + ",\"tags\":null}"),
                change(Operation.UPDATE, "{\"id\":2,\"note\":\"again\",\"body\":" + PLACEHOLDER + ",\"tags\":null}")));

        assertThat(rows.get(2).values()).containsExactly("1", null, "big", null);
        assertThat(rows.get(2).unavailable()).isNull();
        // Key 2 never had its body in this run: both changes take it from the current state.
        assertThat(rows.get(1).unavailable()).isEqualTo("0010");
        assertThat(rows.get(3).unavailable()).isEqualTo("0010");
    }

    @Test
    void aDeleteCarryingOnlyItsKeyTakesTheRestFromTheRunOrTheCurrentState() throws Exception {
        List<StageRow> rows = StageRows.of(DEFAULT_IDENTITY, List.of(
                change(Operation.UPDATE, "{\"id\":1,\"note\":\"last\",\"body\":" + PLACEHOLDER + ",\"tags\":null}"),
                // Debezium fills what a key-only delete lacks with nulls, or a NOT NULL column's default.
                change(Operation.DELETE, "{\"id\":1,\"note\":\"default\",\"body\":null,\"tags\":null}"),
                change(Operation.CREATE, "{\"id\":1,\"note\":\"new\",\"body\":\"b\",\"tags\":null}")));

        assertThat(rows.get(1).values()).containsExactly("1", "last", null, null);
        assertThat(rows.get(1).unavailable()).isEqualTo("0010");
        // After the delete the key starts over: the create carries everything.
        assertThat(rows.get(2).unavailable()).isNull();
    }

    @Test
    void aDeleteOfATableWithFullRowImagesCarriesItsRow() throws Exception {
        List<StageRow> rows = StageRows.of(FULL_IDENTITY, List.of(
                change(Operation.DELETE, "{\"id\":1,\"note\":null,\"body\":\"b\",\"tags\":null}")));

        assertThat(rows.get(0).values()).containsExactly("1", null, "b", null);
        assertThat(rows.get(0).unavailable()).isNull();
    }

    @Test
    void aNewRowWithoutItsValueAndAChangeWithoutItsKeyAreRefused() throws Exception {
        assertThat(StageRows.refusal(DEFAULT_IDENTITY, change(Operation.CREATE,
                "{\"id\":2,\"note\":\"n\",\"body\":" + PLACEHOLDER + ",\"tags\":null}")))
                .startsWith("column body: a new row arrives without its value");
        assertThat(StageRows.refusal(DEFAULT_IDENTITY, change(Operation.UPDATE,
                "{\"id\":" + PLACEHOLDER + ",\"note\":\"n\",\"body\":null,\"tags\":null}")))
                .startsWith("column id: the change does not carry its key column's value");
        assertThat(StageRows.refusal(DEFAULT_IDENTITY, change(Operation.UPDATE,
                "{\"id\":1,\"note\":\"n\",\"body\":" + PLACEHOLDER + ",\"tags\":null}"))).isNull();
    }

    @Test
    void aChangeThatCannotBeLoadedIsLeftOutWithItsReasonAndTheRestOfTheRunStaged() throws Exception {
        ChangeEvent keyless = change(Operation.UPDATE, "{\"id\":" + PLACEHOLDER + ",\"note\":\"n\",\"body\":null,\"tags\":null}");
        Map<ChangeEvent, String> refused = new IdentityHashMap<>();

        List<StageRow> rows = StageRows.loadable(DEFAULT_IDENTITY, List.of(
                change(Operation.CREATE, "{\"id\":1,\"note\":\"n\",\"body\":\"big\",\"tags\":null}"),
                keyless,
                change(Operation.UPDATE, "{\"id\":1,\"note\":\"m\",\"body\":" + PLACEHOLDER + ",\"tags\":null}")),
                refused::put);

        assertThat(refused).containsOnlyKeys(keyless);
        assertThat(refused.get(keyless)).startsWith("column id: the change does not carry its key column's value");
        assertThat(rows).hasSize(2);
        // The change left out does not stand between the update and the create it takes its body from.
        assertThat(rows.get(1).values()).containsExactly("1", "m", "big", null);
        assertThat(rows.get(1).unavailable()).isNull();
    }

    @Test
    void thePlaceholderIsRecognisedInEveryShapeDebeziumWritesIt() throws Exception {
        assertThat(UnavailableValue.in(JSON.readTree(PLACEHOLDER))).isTrue();
        assertThat(UnavailableValue.in(JSON.readTree("[" + PLACEHOLDER + "]"))).isTrue();
        assertThat(UnavailableValue.in(JSON.readTree("[0,102,108,105,103,104,116,99,100,99,58,117,110,97,118,97,105,108,"
                + "97,98,108,101,0]"))).isTrue();
        // Debezium's default placeholder is ordinary text to this pipeline, as is any text without NUL.
        assertThat(UnavailableValue.in(JSON.readTree("\"__debezium_unavailable_value\""))).isFalse();
        assertThat(UnavailableValue.in(JSON.readTree("[\"a\"," + PLACEHOLDER + "]"))).isFalse();
        assertThat(UnavailableValue.DEBEZIUM_SETTING).isEqualTo("hex:00666c696768746364633a756e617661696c61626c6500");
    }

    private ChangeEvent change(Operation op, String row) throws Exception {
        return new ChangeEvent("t", 0, offset++, DEFAULT_IDENTITY.id(), op, positions.next(offset, offset), null, 0,
                JSON.readTree(row), row);
    }
}
