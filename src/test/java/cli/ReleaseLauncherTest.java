package cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release's {@code bin/flight-cdc} with this test's own Java, in a release folder made of the test's classpath: the
 * application's classes as a jar in {@code lib/}, with its own copies of the settings inside, and {@code config/} as a
 * user edits it. The launcher names config/ by path (the AOT cache takes no folder on the classpath): what config/
 * says wins over the jar's copies, for the settings of every command and for the logging.
 */
class ReleaseLauncherTest {

    @TempDir
    Path release;

    @TempDir
    Path work;

    private Path config;

    @BeforeEach
    void releaseOfTheTestClasspath() throws IOException {
        Path lib = Files.createDirectories(release.resolve("lib"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            if (Files.isRegularFile(path) && entry.endsWith(".jar") && !Files.exists(lib.resolve(path.getFileName()))) {
                Files.createSymbolicLink(lib.resolve(path.getFileName()), path);
            } else if (Files.isDirectory(path) && path.endsWith("classes")) { // the application's, not test-classes
                jar(path, lib.resolve("flight-cdc.jar"));
            }
        }
        Path bin = Files.createDirectories(release.resolve("bin"));
        Files.copy(Path.of("src/dist/bin/flight-cdc"), bin.resolve("flight-cdc"));
        config = Files.createDirectories(release.resolve("config"));
        edit("application.properties", "flightcdc.data-dir = data",
                "flightcdc.data-dir = " + work.resolve("from-config"));
        edit("log4j2.properties", "appender.console.select.text.layout.pattern = ",
                "appender.console.select.text.layout.pattern = release-config ");
    }

    @Test
    void aCommandThatDoesNotStartThePipelineReadsConfig() throws Exception {
        Result verify = run("verify");

        assertThat(verify.exitCode).as(verify.output).isEqualTo(2);
        assertThat(verify.output)
                .contains("No embedded PostgreSQL data in " + work.resolve("from-config").resolve("postgres"));
    }

    @Test
    void thePipelineReadsConfigAndLogsAsConfigSays() throws Exception {
        Path settings = config.resolve("application.properties");
        Files.writeString(settings, Files.readString(settings)
                .replace("\nflightcdc.simulator.aircraft = 10000\n", "\nflightcdc.simulator.aircraft = -7\n"));

        Result run = run("run", "--no-poll");

        assertThat(run.exitCode).as(run.output).isEqualTo(2);
        assertThat(run.output).contains("Setting flightcdc.simulator.aircraft must be between 0 and 1000000, got -7")
                .containsPattern("(?m)^release-config \\S+ INFO  BaseMainSupport +Properties location: file:"
                        + release.toRealPath().resolve("config/application.properties"));
    }

    /** The shipped file with one line changed, into config/. */
    private void edit(String file, String line, String replacement) throws IOException {
        String shipped = Files.readString(Path.of("src/main/resources", file));
        assertThat(shipped).contains("\n" + line);
        Files.writeString(config.resolve(file), shipped.replace("\n" + line, "\n" + replacement));
    }

    private static void jar(Path classes, Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream entries = new JarOutputStream(out);
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = classes.relativize(file).toString().replace(File.separatorChar, '/');
                entries.putNextEntry(new JarEntry(name));
                Files.copy(file, entries);
                entries.closeEntry();
            }
        }
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(String... args) throws Exception {
        List<String> command = Stream.concat(Stream.of("sh", release.resolve("bin/flight-cdc").toString()),
                Stream.of(args)).toList();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(work.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("FLIGHTCDC_") || key.equals("JAVA_OPTS"));
        builder.environment().putAll(Map.of("JAVA_HOME", System.getProperty("java.home")));
        Process process = builder.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("flight-cdc " + String.join(" ", List.of(args)) + " did not end:\n" + output);
            }
            return new Result(process.exitValue(), output);
        } finally {
            process.destroyForcibly();
        }
    }
}
