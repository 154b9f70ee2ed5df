package capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import source.TestSource;

/** Debezium's position kept in the source: per slot, replaced whole, taken over once from a file, forgotten on reset. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PositionTableTest {

    private TestSource source;

    @BeforeAll
    void start() throws Exception {
        source = TestSource.start("position-table");
    }

    @AfterAll
    void stop() throws Exception {
        source.close();
    }

    private PositionTable table(String slot) {
        return new PositionTable(source.database().dataSource(), "flightcdc", slot);
    }

    private static Map<ByteBuffer, ByteBuffer> positions(String... keysAndValues) {
        Map<ByteBuffer, ByteBuffer> positions = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            positions.put(buffer(keysAndValues[i]), keysAndValues[i + 1] == null ? null : buffer(keysAndValues[i + 1]));
        }
        return positions;
    }

    private static ByteBuffer buffer(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachWriteReplacesTheSlotsPositionsAndLeavesOtherSlotsAlone() {
        PositionTable first = table("first");
        PositionTable second = table("second");
        assertThat(first.read()).isEmpty();

        first.write(positions("[\"flight-cdc\",{\"server\":\"flightcdc\"}]", "{\"lsn\":1}", "other", null));
        second.write(positions("key", "{\"lsn\":7}"));
        first.write(positions("[\"flight-cdc\",{\"server\":\"flightcdc\"}]", "{\"lsn\":2,\"lsn_commit\":2}"));

        assertThat(first.read()).isEqualTo(positions("[\"flight-cdc\",{\"server\":\"flightcdc\"}]", "{\"lsn\":2,\"lsn_commit\":2}"));
        assertThat(second.read()).isEqualTo(positions("key", "{\"lsn\":7}"));
        assertThat(AcknowledgedOffsetStore.storedLastCommitLsn(first)).isEqualTo(OptionalLong.of(2));

        first.clear();
        assertThat(first.read()).isEmpty();
        assertThat(second.read()).isNotEmpty();
    }

    @Test
    void takesOverAFilesPositionOnlyWhileItHoldsNoneOfItsOwn(@TempDir Path dir) {
        PositionFile file = new PositionFile(dir.resolve("debezium-offsets.dat"));
        PositionTable table = table("taken-over");
        assertThat(table.takeOver(file)).as("nothing to take over").isFalse();

        file.write(positions("key", "{\"lsn_commit\":42}"));
        assertThat(table.takeOver(file)).isTrue();
        assertThat(table.read()).isEqualTo(file.read());

        file.write(positions("key", "{\"lsn_commit\":1}"));
        assertThat(table.takeOver(file)).as("the table's own position wins").isFalse();
        assertThat(AcknowledgedOffsetStore.storedLastCommitLsn(table)).isEqualTo(OptionalLong.of(42));
    }
}
