package e2e;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the suite's child JVMs are launched: from a class data archive (AppCDS) of the classes a start of flight-cdc
 * loads, made once per test JVM by a training start. A child maps those classes instead of reading, parsing and
 * verifying them from the jars; measured here, a restart of {@code run} was up at 11.2 s with 16.8 s of CPU, and at
 * 6.8–7.1 s with 10.2–10.5 s of CPU from the archive, and the suite starts dozens of children.
 *
 * <p>Java 17 archives classes from jars only, and an archive holds for a class path that begins with the one it was
 * made with: so the application's classes directory goes into a jar, and other directories (the test classes) go
 * last. The archive changes how fast classes load, nothing else: if it cannot be made, children start as before.
 */
final class SharedClassArchive {

    private static final Logger LOG = LoggerFactory.getLogger(SharedClassArchive.class);

    private static final Path DIRECTORY = Path.of("target", "child-jvm").toAbsolutePath();
    private static final Pattern STARTED = Pattern.compile("\\(flight-cdc\\) started in");
    private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(3);

    /** The class path and JVM options a child starts with. */
    record Launch(String classPath, List<String> jvmOptions) {
    }

    private static Launch launch;

    private SharedClassArchive() {
    }

    /** Made on the first call: the application's classes in a jar, then the archive from a training start. */
    static synchronized Launch launch() {
        if (launch == null) {
            launch = prepare();
        }
        return launch;
    }

    private static Launch prepare() {
        String classPath = System.getProperty("java.class.path");
        try {
            String jarred = jarredClassPath(classPath);
            return new Launch(jarred, train(jarred));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Child JVMs start without a class data archive: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Launch(classPath, List.of());
    }

    private static String jarredClassPath(String classPath) throws IOException {
        List<String> jars = new ArrayList<>();
        List<String> directories = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path) && path.endsWith(Path.of("target", "classes"))) {
                jars.add(jar(path).toString());
            } else if (Files.isDirectory(path)) {
                directories.add(entry);
            } else {
                jars.add(entry);
            }
        }
        jars.addAll(directories);
        return String.join(File.pathSeparator, jars);
    }

    private static Path jar(Path classes) throws IOException {
        Files.createDirectories(DIRECTORY);
        Path jar = DIRECTORY.resolve("flight-cdc-classes.jar");
        Files.deleteIfExists(jar);
        StringWriter errors = new StringWriter();
        ToolProvider tool = ToolProvider.findFirst("jar").orElseThrow(() -> new IOException("this JDK has no jar tool"));
        int rc = tool.run(new PrintWriter(StringWriter.nullWriter()), new PrintWriter(errors),
                "--create", "--file", jar.toString(), "-C", classes.toString(), ".");
        if (rc != 0) {
            throw new IOException("jar of " + classes + " failed: " + errors);
        }
        return jar;
    }

    /**
     * Starts {@code flight-cdc run} on embedded services until its routes have started, stops it with SIGTERM, and
     * returns the options that use the archive its JVM wrote on the way out.
     */
    private static List<String> train(String classPath) throws IOException, InterruptedException {
        long started = System.nanoTime();
        Path training = Files.createTempDirectory(DIRECTORY, "training-");
        Path written = training.resolve("flight-cdc.jsa");
        List<String> args = List.of("run", "--no-poll", "--data-dir", training.resolve("data").toString(),
                "-D", "flightcdc.source.embedded-port=" + FreePorts.one(),
                "-D", "flightcdc.kafka.embedded-port=" + FreePorts.pair());
        try (ChildJvm run = ChildJvm.start(new Launch(classPath, List.of()), training.resolve("training.log"),
                List.of("-Xmx1g", "-XX:+UseParallelGC", "-XX:ArchiveClassesAtExit=" + written, "-Xlog:cds*=off"),
                "cli.FlightCdc", args, Map.of())) {
            run.awaitLine(STARTED, TRAINING_TIMEOUT);
            int exit = run.stop();
            // 143: the JVM ended by the SIGTERM, after its shutdown hooks and the archive's writing
            if ((exit != 0 && exit != 143) || !Files.isRegularFile(written)) {
                throw new IOException("the training run exited with " + exit + " and wrote no archive; see "
                        + run.output());
            }
        }
        Path archive = Files.move(written, DIRECTORY.resolve("flight-cdc.jsa"), StandardCopyOption.REPLACE_EXISTING);
        LOG.info("Child JVMs start from the class data archive {} ({} MiB, made in {} s)", archive,
                Files.size(archive) >> 20, Duration.ofNanos(System.nanoTime() - started).toSeconds());
        // A JVM that cannot map it says so and loads its classes as before: nothing in a child's output changes.
        return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off");
    }
}
