package warehouse.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.ChangeEvent.Operation;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.LoadResult;
import warehouse.MergeSqlGenerator;
import warehouse.QueryRows;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.TestPositions;
import warehouse.UnavailableValue;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * A batch with more changes of one table than {@link MergeWarehouse#SLICE} (a large source transaction released
 * whole) is staged a slice at a time, all in one transaction: every change is loaded once, and a change that lacks a
 * value takes it from a change in an earlier slice as it would from one earlier in its own.
 */
class SlicedRunTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableId NOTES = new TableId("public", "notes");
    /** REPLICA IDENTITY DEFAULT: a delete carries only its key. */
    private static final TableSchema SCHEMA = new TableSchema(NOTES, List.of(
            new Column("id", ColumnType.BIGINT, false),
            new Column("note", ColumnType.TEXT, false),
            new Column("body", ColumnType.TEXT, false)), List.of("id"), false);
    private static final int ROWS = MergeWarehouse.SLICE + MergeWarehouse.SLICE / 4;
    private static final int DELETED = 100;

    @TempDir
    Path dir;
    private DuckDbWarehouse warehouse;
    private final TestPositions positions = new TestPositions();
    private long offset;

    @BeforeEach
    void open() throws Exception {
        warehouse = DuckDbWarehouse.open(dir.resolve("w.duckdb"));
        warehouse.prepare(List.of(SCHEMA));
    }

    @AfterEach
    void close() throws Exception {
        warehouse.close();
    }

    @Test
    void aRunOfSeveralSlicesIsLoadedOnceAndTakesLackingValuesAcrossSlices() throws Exception {
        String unchanged = JSON.writeValueAsString(UnavailableValue.PLACEHOLDER);
        List<ChangeEvent> changes = new ArrayList<>();
        for (int id = 0; id < ROWS; id++) {
            changes.add(change(Operation.CREATE, "{\"id\":" + id + ",\"note\":\"n" + id + "\",\"body\":\"b" + id + "\"}"));
        }
        for (int id = 0; id < ROWS; id++) {
            // An unchanged TOASTed body: its value is in the create, a slice or two before.
            changes.add(change(Operation.UPDATE, "{\"id\":" + id + ",\"note\":\"u" + id + "\",\"body\":" + unchanged + "}"));
            if (id == ROWS / 2) {
                changes.add(change(Operation.UPDATE, "{\"id\":" + unchanged + ",\"note\":\"x\",\"body\":\"x\"}"));
            }
        }
        for (int id = 0; id < DELETED; id++) {
            changes.add(change(Operation.DELETE, "{\"id\":" + id + ",\"note\":null,\"body\":null}"));
        }
        assertThat(changes.size()).isGreaterThan(2 * MergeWarehouse.SLICE);

        LoadResult result = warehouse.load(ChangeBatch.of(changes));

        assertThat(result.applied()).isEqualTo(2 * ROWS + DELETED);
        assertThat(result.deadLettered()).isEqualTo(1);
        assertThat(rows("SELECT count(*), count(*) FILTER (WHERE note = 'u' || id AND body = 'b' || id) FROM notes"))
                .containsExactly((ROWS - DELETED) + "|" + (ROWS - DELETED));
        assertThat(rows("SELECT _op, count(*), count(*) FILTER (WHERE body = 'b' || id AND note = "
                + "CASE _op WHEN 'c' THEN 'n' ELSE 'u' END || id), count(DISTINCT _kafka_offset)"
                + " FROM notes_history GROUP BY _op ORDER BY _op"))
                .containsExactly("c|" + ROWS + "|" + ROWS + "|" + ROWS, "d|" + DELETED + "|" + DELETED + "|" + DELETED,
                        "u|" + ROWS + "|" + ROWS + "|" + ROWS);
        assertThat(rows("SELECT kafka_offset, reason LIKE 'column id: the change does not carry its key%' FROM "
                + MergeSqlGenerator.DEAD_LETTER_TABLE)).containsExactly((ROWS + ROWS / 2 + 1) + "|true");
    }

    private ChangeEvent change(Operation op, String row) throws Exception {
        long o = offset++;
        return new ChangeEvent("flightcdc.public.notes", 0, o, NOTES, op, positions.next(1000 + o, 1000 + o), 7L, 0,
                JSON.readTree(row), row);
    }

    private List<String> rows(String sql) throws Exception {
        try (Connection c = warehouse.newReader()) {
            return QueryRows.of(c, sql);
        }
    }
}
