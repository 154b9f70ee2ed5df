package cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release's {@code bin/flight-cdc} (src/dist) starts the JVM with the heap, collector and compile thresholds the
 * pipeline is measured with, and compact object headers on a Java that has them, unless JAVA_OPTS names its own: run
 * here against a "java" that prints the options it was given.
 */
class LauncherScriptTest {

    private static final Path SCRIPT = Path.of("src/dist/bin/flight-cdc");

    @TempDir
    Path javaHome;

    /** A "java" that prints its options; a Java 17 unless FAKE_JAVA_25 is set: it refuses compact object headers. */
    @BeforeEach
    void fakeJava() throws Exception {
        Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\ncase \"$*\" in *UseCompactObjectHeaders\\ -version) [ -n \"$FAKE_JAVA_25\" ];"
                + " exit $?;; esac\necho \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void theMeasuredHeapCollectorAndCompileThresholdsUnlessJavaOptsNamesItsOwn() throws Exception {
        assertThat(options("")).startsWith("-XX:+UseParallelGC -Xmx448m -XX:CompileThresholdScaling=4 -cp ")
                .endsWith(" cli.FlightCdc run --no-poll");
        assertThat(options("-Xmx2g")).startsWith("-XX:+UseParallelGC -XX:CompileThresholdScaling=4 -Xmx2g -cp ")
                .doesNotContain("448m");
        assertThat(options("-XX:MaxRAMPercentage=50"))
                .startsWith("-XX:+UseParallelGC -XX:CompileThresholdScaling=4 -XX:MaxRAMPercentage=50 -cp ");
        assertThat(options("-XX:+UseG1GC -Dx=1"))
                .startsWith("-Xmx448m -XX:CompileThresholdScaling=4 -XX:+UseG1GC -Dx=1 -cp ");
        assertThat(options("-XX:CompileThresholdScaling=1"))
                .startsWith("-XX:+UseParallelGC -Xmx448m -XX:CompileThresholdScaling=1 -cp ");
    }

    @Test
    void compactObjectHeadersWhereTheJavaHasThemUnlessJavaOptsNamesThem() throws Exception {
        assertThat(options("", Map.of("FAKE_JAVA_25", "yes")))
                .startsWith("-XX:+UseParallelGC -Xmx448m -XX:CompileThresholdScaling=4 -XX:+UseCompactObjectHeaders -cp ");
        assertThat(options("-XX:-UseCompactObjectHeaders", Map.of("FAKE_JAVA_25", "yes")))
                .startsWith("-XX:+UseParallelGC -Xmx448m -XX:CompileThresholdScaling=4 -XX:-UseCompactObjectHeaders -cp ");
        assertThat(options("")).doesNotContain("CompactObjectHeaders");
    }

    /** What the script passes to java with {@code javaOpts} in JAVA_OPTS, for {@code run --no-poll}. */
    private String options(String javaOpts) throws Exception {
        return options(javaOpts, Map.of());
    }

    private String options(String javaOpts, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of("sh", SCRIPT.toString(), "run", "--no-poll"))
                .redirectErrorStream(true);
        builder.environment().putAll(Map.of("JAVA_HOME", javaHome.toString(), "JAVA_OPTS", javaOpts));
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
