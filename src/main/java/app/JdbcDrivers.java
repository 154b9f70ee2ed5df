package app;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * Has JDBC's {@link DriverManager} load every driver on the classpath but Snowflake's, once, before anything
 * else asks it for a connection.
 *
 * <p>On its first use, whoever the caller (pgjdbc's data sources and the embedded PostgreSQL call it for every
 * pipeline), DriverManager instantiates every driver that any jar names in
 * {@code META-INF/services/java.sql.Driver}. Two of them are Snowflake's: snowflake-jdbc's and the copy the
 * Snowpipe Streaming SDK carries, whose initialisation loads about 1,800 classes (some 9 MiB of metaspace and
 * 4 MB of heap, kept for the life of the process) and takes 0.7 s, in every run, whatever the
 * warehouse. The project never reaches Snowflake through DriverManager: {@code SnowflakeConnections} names its
 * driver, which registers itself when its class loads. DriverManager finds the drivers through the thread's
 * context class loader and does so only once, so this looks for them through a loader that leaves Snowflake's
 * service files out.
 */
public final class JdbcDrivers {

    private static final String SERVICE_FILE = "META-INF/services/java.sql.Driver";
    private static final String SNOWFLAKE = "net.snowflake.";

    private JdbcDrivers() {
    }

    /** Loads the drivers, Snowflake's left out; later calls, and any after DriverManager's first use, change nothing. */
    public static void loadAllButSnowflake() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(new WithoutSnowflakeDrivers(previous != null ? previous : JdbcDrivers.class.getClassLoader()));
        try {
            DriverManager.getDrivers();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Delegates everything, but hides the service files that name only Snowflake's drivers. */
    private static final class WithoutSnowflakeDrivers extends ClassLoader {

        WithoutSnowflakeDrivers(ClassLoader parent) {
            super(parent);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            Enumeration<URL> found = super.getResources(name);
            if (!SERVICE_FILE.equals(name)) {
                return found;
            }
            List<URL> kept = new ArrayList<>();
            for (URL url : Collections.list(found)) {
                if (!namesOnlySnowflake(url)) {
                    kept.add(url);
                }
            }
            return Collections.enumeration(kept);
        }

        /** A service file that cannot be read is kept: ServiceLoader then reports it as it always would. */
        private static boolean namesOnlySnowflake(URL serviceFile) {
            try (InputStream in = serviceFile.openStream()) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                List<String> providers = text.lines()
                        .map(line -> line.replaceFirst("#.*", "").strip())
                        .filter(line -> !line.isEmpty())
                        .toList();
                return !providers.isEmpty() && providers.stream().allMatch(p -> p.startsWith(SNOWFLAKE));
            } catch (IOException e) {
                return false;
            }
        }
    }
}
