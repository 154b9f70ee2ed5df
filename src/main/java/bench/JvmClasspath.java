package bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The classpath this code runs with, for a JVM of its own started from it. {@code java.class.path}
 * alone is not it under {@code mvn exec:java}, which runs the application in Maven's JVM from a class
 * loader of the project's jars: those come first, from the class loaders that are URL class loaders.
 */
final class JvmClasspath {

    /** The jars of Kafka itself, by file name, in Maven's repository and in the packaged application's lib/ alike. */
    private static final Pattern KAFKA_JAR = Pattern.compile("kafka[-_].*\\.jar");
    /** Beside target/classes (or the packaged jar): filled by the build, see kafka-connect-clients in pom.xml. */
    private static final String KAFKA_CONNECT_DIR = "kafka-connect";

    private JvmClasspath() {
    }

    /**
     * The classpath for Kafka Connect: this one with Kafka's own jars swapped for the kafka-clients of
     * Connect's version. The application runs the 3.9 broker, which pins kafka-clients 3.9, while the
     * Connect runtime on its classpath is the one Debezium is built on, which needs its own clients.
     *
     * @throws IllegalStateException if the build did not provide those clients
     */
    static String forKafkaConnect() {
        Path dir = besideClasses().resolve(KAFKA_CONNECT_DIR);
        List<String> clients;
        try (Stream<Path> jars = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
            clients = jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (clients.isEmpty()) {
            throw new IllegalStateException("Kafka Connect's kafka-clients jar is missing from " + dir
                    + "; the Maven build puts it there (./mvnw compile)");
        }
        List<String> entries = new ArrayList<>(clients);
        for (String entry : current().split(File.pathSeparator)) {
            if (!KAFKA_JAR.matcher(Path.of(entry).getFileName().toString()).matches()) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The folder holding this code: target/ for target/classes and for target/flight-cdc.jar alike. */
    private static Path besideClasses() {
        try {
            return Path.of(JvmClasspath.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String current() {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader loader = JvmClasspath.class.getClassLoader(); loader != null; loader = loader.getParent()) {
            if (loader instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    if ("file".equals(url.getProtocol())) {
                        try {
                            entries.add(Path.of(url.toURI()).toString());
                        } catch (URISyntaxException | IllegalArgumentException e) {
                            entries.add(url.getPath());
                        }
                    }
                }
            }
        }
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
