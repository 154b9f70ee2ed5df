package cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release's {@code bin/flight-cdc} (src/dist) starts the JVM with the heap, collector and compile thresholds the
 * pipeline is measured with, unless JAVA_OPTS names its own: run here against a "java" that prints the options it was
 * given.
 */
class LauncherScriptTest {

    private static final Path SCRIPT = Path.of("src/dist/bin/flight-cdc");

    @TempDir
    Path javaHome;

    @Test
    void theMeasuredHeapCollectorAndCompileThresholdsUnlessJavaOptsNamesItsOwn() throws Exception {
        Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

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

    /** What the script passes to java with {@code javaOpts} in JAVA_OPTS, for {@code run --no-poll}. */
    private String options(String javaOpts) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of("sh", SCRIPT.toString(), "run", "--no-poll"))
                .redirectErrorStream(true);
        builder.environment().putAll(Map.of("JAVA_HOME", javaHome.toString(), "JAVA_OPTS", javaOpts));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
