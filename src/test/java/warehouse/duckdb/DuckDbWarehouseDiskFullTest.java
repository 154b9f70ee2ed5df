package warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.ChangeEvent.Operation;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.KafkaPartition;
import warehouse.QueryRows;
import warehouse.SourcePosition;
import warehouse.TableId;
import warehouse.TableSchema;

/**
 * The warehouse's disk fills up: the load fails with DuckDB's reason, is retried (on a new connection: after a
 * failed commit DuckDB's JDBC connection no longer knows whether a transaction is open), and once there is room
 * it loads exactly what it had not, nothing twice. The disk is a small tmpfs, which takes root to mount: where
 * the tests run without it, this one is skipped.
 */
class DuckDbWarehouseDiskFullTest {

    private static final TableId TABLE = new TableId("public", "note");
    private static final TableSchema SCHEMA = new TableSchema(TABLE, List.of(
            new Column("id", ColumnType.TEXT, false), new Column("body", ColumnType.TEXT, false)), List.of("id"));
    private static final String TOPIC = "flightcdc.public.note";

    @TempDir
    Path dir;
    private Path disk;
    private boolean mounted;
    private long offset;

    @BeforeEach
    void mountASmallDisk() throws Exception {
        disk = Files.createDirectory(dir.resolve("disk"));
        mounted = run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", disk.toString());
        assumeTrue(mounted, "mounting a tmpfs takes root");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", disk.toString());
        }
    }

    @Test
    void aFullDiskFailsTheLoadUntilThereIsRoomThenItIsLoadedOnce() throws Exception {
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(disk.resolve("w.duckdb"))) {
            warehouse.prepare(List.of(SCHEMA));
            ChangeBatch failed = null;
            long loadedBefore = 0;
            for (int i = 0; i < 100 && failed == null; i++) {
                ChangeBatch batch = batch(200);
                try {
                    warehouse.load(batch);
                    loadedBefore += 200;
                } catch (Exception e) {
                    assertThat(e).hasMessageContaining("No space left on device");
                    failed = batch;
                }
            }
            assertThat(failed).as("a batch the full disk refused").isNotNull();
            ChangeBatch refused = failed;
            assertThatThrownBy(() -> warehouse.load(refused)).hasMessageContaining("No space left on device");

            assertThat(run("mount", "-o", "remount,size=50m", disk.toString())).isTrue();
            assertThat(warehouse.load(refused).applied()).isEqualTo(200);

            long expected = loadedBefore + 200;
            try (Connection c = warehouse.newReader()) {
                assertThat(QueryRows.of(c, "SELECT (SELECT count(*) FROM note), (SELECT count(*) FROM note_history),"
                        + " (SELECT count(DISTINCT _kafka_offset) FROM note_history)"))
                        .containsExactly(expected + "|" + expected + "|" + expected);
            }
            assertThat(warehouse.progress().get(new KafkaPartition(TOPIC, 0)).nextOffset()).isEqualTo(expected);
        }
    }

    /** {@code rows} new rows of 2 KB each. */
    private ChangeBatch batch(int rows) {
        List<ChangeEvent> changes = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            long o = offset++;
            changes.add(new ChangeEvent(TOPIC, 0, o, TABLE, Operation.CREATE, new SourcePosition(o, o + 1, 1L), o, 0L,
                    JsonNodeFactory.instance.objectNode().put("id", "k" + o).put("body", "x".repeat(2000) + o), "{}"));
        }
        return ChangeBatch.of(changes);
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
