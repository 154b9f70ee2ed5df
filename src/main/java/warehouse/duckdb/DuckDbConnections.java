package warehouse.duckdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens connections to a DuckDB file, and deletes the copy of DuckDB's native library that its driver left in
 * {@code java.io.tmpdir}. The driver (duckdb_jdbc 2.0) copies the library there, about 68 MB, each time a JVM loads it,
 * and deletes it only when the JVM exits normally: a JVM killed ({@code kill -9}, the kernel's OOM killer, a crash) leaves
 * its copy behind, and a pipeline restarted after each crash fills the disk. Once loaded, the library needs no file, so
 * the copy this JVM maps is deleted as soon as it is loaded. Where the JVM's mappings cannot be read (not Linux), the
 * driver's own deletion at exit is all there is.
 */
public final class DuckDbConnections {

    private static final Logger LOG = LoggerFactory.getLogger(DuckDbConnections.class);
    private static final String LIBRARY_PREFIX = "libduckdb_java";
    private static final Path MAPS = Path.of("/proc/self/maps");

    private static volatile boolean copyDeleted;

    private DuckDbConnections() {
    }

    /** A connection to the DuckDB file {@code file}, with the driver's {@code properties}. */
    public static Connection open(Path file, Properties properties) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), properties);
        if (!copyDeleted) {
            deleteLibraryCopy();
        }
        return connection;
    }

    /** A connection to the DuckDB file {@code file}. */
    public static Connection open(Path file) throws SQLException {
        return open(file, new Properties());
    }

    private static synchronized void deleteLibraryCopy() {
        if (copyDeleted || !Files.isReadable(MAPS)) {
            return;
        }
        try {
            for (Path copy : deleteMappedCopies(MAPS, Path.of(System.getProperty("java.io.tmpdir")))) {
                LOG.debug("Deleted {}, DuckDB's library as its driver copied it for this JVM: it is loaded", copy);
            }
            copyDeleted = true;
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not delete the copy of DuckDB's library its driver left in {} ({}): it is deleted when the"
                    + " pipeline stops normally, not when it is killed", System.getProperty("java.io.tmpdir"), e.toString());
            copyDeleted = true; // not asked again for every connection
        }
    }

    /**
     * Deletes each file that {@code maps} (a process's {@code /proc/<pid>/maps}) shows mapped from {@code directory} under
     * the name the driver gives its copies; the copies other JVMs made are theirs, and not mapped here.
     */
    static List<Path> deleteMappedCopies(Path maps, Path directory) throws IOException {
        // As the kernel names it (macOS's /tmp is a link, say).
        Path dir = Files.isDirectory(directory) ? directory.toRealPath() : directory.toAbsolutePath().normalize();
        List<Path> deleted = new ArrayList<>();
        try (Stream<String> lines = Files.lines(maps)) {
            for (Path mapped : lines.map(DuckDbConnections::mappedFile).distinct().toList()) {
                if (mapped != null && dir.equals(mapped.getParent()) && mapped.getFileName().toString().startsWith(LIBRARY_PREFIX)
                        && mapped.getFileName().toString().endsWith(".so") && Files.deleteIfExists(mapped)) {
                    deleted.add(mapped);
                }
            }
        }
        return deleted;
    }

    /** The file of a line of {@code /proc/<pid>/maps} (address, perms, offset, device, inode, path), or null. */
    private static Path mappedFile(String line) {
        String[] fields = line.trim().split("\\s+", 6);
        if (fields.length < 6 || !fields[5].startsWith("/") || fields[5].endsWith(" (deleted)")) {
            return null;
        }
        return Path.of(fields[5]).normalize();
    }
}
