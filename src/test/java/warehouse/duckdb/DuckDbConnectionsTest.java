package warehouse.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbConnectionsTest {

    private static final Path MAPS = Path.of("/proc/self/maps");

    @TempDir
    Path dir;

    /** A JVM killed once DuckDB is loaded leaves nothing of it in java.io.tmpdir: its copy of the library is gone. */
    @Test
    void theLibraryCopyThisJvmLoadedIsDeletedOnceLoaded() throws Exception {
        assumeTrue(Files.isReadable(MAPS), "reads the JVM's mappings where Linux shows them");
        try (Connection connection = DuckDbConnections.open(dir.resolve("warehouse.duckdb"));
             ResultSet rs = connection.createStatement().executeQuery("SELECT 42")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }

        List<String> duckdb = Files.readAllLines(MAPS).stream().filter(line -> line.contains("libduckdb_java")).toList();
        assertThat(duckdb).as("DuckDB's library mapped into this JVM").isNotEmpty();
        assertThat(duckdb).allSatisfy(line -> assertThat(line).endsWith(" (deleted)"));
    }

    @Test
    void onlyTheCopiesThisJvmMapsFromTheDirectoryAreDeleted() throws Exception {
        Path mine = Files.createFile(dir.resolve("libduckdb_java123.so"));
        Path anotherJvms = Files.createFile(dir.resolve("libduckdb_java456.so"));
        Path otherLibrary = Files.createFile(dir.resolve("libother.so"));
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path mineElsewhere = Files.createFile(elsewhere.resolve("libduckdb_java789.so"));
        Path maps = Files.writeString(dir.resolve("maps"), String.join("\n",
                "7f00a0000000-7f00a1000000 r-xp 00000000 fd:01 101 " + mine,
                "7f00a1000000-7f00a1100000 r--p 01000000 fd:01 101 " + mine,
                "7f00a2000000-7f00a2100000 r-xp 00000000 fd:01 102 " + otherLibrary,
                "7f00a3000000-7f00a3100000 r-xp 00000000 fd:01 103 " + mineElsewhere,
                "7f00a4000000-7f00a4100000 r-xp 00000000 fd:01 104 " + dir.resolve("libduckdb_java000.so") + " (deleted)",
                "7f00a5000000-7f00a5100000 rw-p 00000000 00:00 0 ",
                "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]") + "\n");

        assertThat(DuckDbConnections.deleteMappedCopies(maps, dir)).containsExactly(mine);

        assertThat(mine).doesNotExist();
        assertThat(anotherJvms).exists();
        assertThat(otherLibrary).exists();
        assertThat(mineElsewhere).exists();
    }
}
