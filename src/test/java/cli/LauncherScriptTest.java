package cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release's {@code bin/flight-cdc} (src/dist) starts the JVM with the heap, collector and compile thresholds the
 * pipeline is measured with, compact object headers and the AOT cache on a Java that has them, native and unsafe
 * memory access on a Java that warns of them, and the settings by path, unless JAVA_OPTS names its own: run here,
 * copied into a release folder of its own, against a "java" that prints the options it was given.
 */
class LauncherScriptTest {

    private static final String BUILD = "25.0.3+9-LTS";

    private static final String GRANTS = "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow";

    @TempDir
    Path javaHome;

    @TempDir
    Path home;

    private Path script;

    /**
     * A "java" that prints its options; a Java 17 unless FAKE_JAVA_25 is set: it refuses compact object headers, and a
     * Java 25 names its build unless FAKE_NO_BUILD is set. Asked to write an AOT cache, it writes one, and then fails
     * if FAKE_TRAINING_FAILS is set.
     */
    @BeforeEach
    void fakeJavaAndRelease() throws Exception {
        Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                case "$*" in *UseCompactObjectHeaders\\ -XshowSettings:properties\\ -version)
                  [ -n "$FAKE_JAVA_25" ] || exit 1
                  [ -n "$FAKE_NO_BUILD" ] || printf 'Property settings:\\n    java.vm.version = %s\\n' >&2; exit 0;;
                esac
                echo "$@"
                for option in "$@"; do case "$option" in -XX:AOTCacheOutput=*)
                  echo cache > "${option#-XX:AOTCacheOutput=}"
                  [ -z "$FAKE_TRAINING_FAILS" ] || exit 3;;
                esac; done
                """.formatted(BUILD));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        script = Files.createDirectories(home.resolve("bin")).resolve("flight-cdc");
        Files.copy(Path.of("src/dist/bin/flight-cdc"), script);
        Files.copy(Path.of("src/main/resources/application.properties"),
                Files.createDirectories(home.resolve("config")).resolve("application.properties"));
    }

    @Test
    void theMeasuredHeapCollectorAndCompileThresholdsUnlessJavaOptsNamesItsOwn() throws Exception {
        assertThat(flags("")).isEqualTo("-XX:+UseParallelGC -Xmx448m -XX:CompileThresholdScaling=4");
        assertThat(options("")).endsWith(" cli.FlightCdc run --no-poll");
        assertThat(flags("-Xmx2g")).isEqualTo("-XX:+UseParallelGC -XX:CompileThresholdScaling=4 -Xmx2g");
        assertThat(flags("-XX:MaxRAMPercentage=50"))
                .isEqualTo("-XX:+UseParallelGC -XX:CompileThresholdScaling=4 -XX:MaxRAMPercentage=50");
        assertThat(flags("-XX:+UseG1GC -Dx=1")).isEqualTo("-Xmx448m -XX:CompileThresholdScaling=4 -XX:+UseG1GC -Dx=1");
        assertThat(flags("-XX:CompileThresholdScaling=1"))
                .isEqualTo("-XX:+UseParallelGC -Xmx448m -XX:CompileThresholdScaling=1");
    }

    @Test
    void compactObjectHeadersWhereTheJavaHasThemUnlessJavaOptsNamesThem() throws Exception {
        assertThat(flags("", java25())).isEqualTo(
                "-XX:+UseParallelGC -Xmx448m -XX:CompileThresholdScaling=4 -XX:+UseCompactObjectHeaders " + GRANTS);
        assertThat(flags("-XX:-UseCompactObjectHeaders", java25())).isEqualTo("-XX:+UseParallelGC -Xmx448m"
                + " -XX:CompileThresholdScaling=4 " + GRANTS + " -XX:-UseCompactObjectHeaders");
        assertThat(options("")).doesNotContain("CompactObjectHeaders");
    }

    /** Java 24 and later warn of each on stderr, and mean to refuse it one day. */
    @Test
    void nativeAccessAndUnsafeMemoryAccessGrantedWhereTheJavaWarnsOfThemUnlessJavaOptsNamesThem() throws Exception {
        assertThat(options("")).as("a Java 17").doesNotContain("native-access").doesNotContain("unsafe");
        assertThat(options("--enable-native-access=ALL-UNNAMED", java25()))
                .containsOnlyOnce("--enable-native-access").contains("--sun-misc-unsafe-memory-access=allow");
        assertThat(options("--sun-misc-unsafe-memory-access=warn", java25()))
                .contains("--enable-native-access=ALL-UNNAMED").containsOnlyOnce("--sun-misc-unsafe-memory-access")
                .contains("--sun-misc-unsafe-memory-access=warn");
    }

    /** The AOT cache takes no folder on the classpath, so config/ is named to Camel Main and Log4j instead. */
    @Test
    void theSettingsAndTheLoggingAreReadFromConfigByPathAndTheClasspathIsTheLibrariesAlone() throws Exception {
        assertThat(options("")).contains(" " + config())
                .endsWith(" -cp " + home.toRealPath() + "/lib/* cli.FlightCdc run --no-poll");
    }

    /** Java takes the last of two -D of one name. */
    @Test
    void aSettingsOrLoggingFileNamedInJavaOptsWinsOverConfig() throws Exception {
        String own = "-Dcamel.main.property-placeholder-location=file:/etc/flight-cdc.properties"
                + " -Dlog4j2.configurationFile=/etc/flight-cdc-log4j2.properties";

        assertThat(options(own)).contains(config() + " " + own + " -cp ");
    }

    @Test
    void aMissingSettingsFileStopsTheStartSayingWhatToDoUnlessJavaOptsNamesOne() throws Exception {
        Files.delete(home.resolve("config/application.properties"));

        Result missing = run(List.of("run"), "", Map.of());
        assertThat(missing.exitCode).isEqualTo(2);
        assertThat(missing.output).isEqualTo("flight-cdc: " + home.toRealPath() + "/config/application.properties is"
                + " missing: restore it from the release's archive, or name a settings file of your own with"
                + " JAVA_OPTS=-Dcamel.main.property-placeholder-location=file:PATH.");
        assertThat(run(List.of("run"), "-Dcamel.main.property-placeholder-location=file:/etc/f.properties", Map.of())
                .exitCode).isZero();
    }

    @Test
    void javaOptsAreNeverExpandedAsFileNames() throws Exception {
        Files.createFile(home.resolve("-Xlog:gc-matches"));

        assertThat(run(List.of("run"), "-Xlog:gc*", Map.of()).output).contains(" -Xlog:gc* ");
    }

    @Test
    void theAotCacheOfTheJavaBuildOnceItIsMadeAndItsWarningsOnStderrOnly() throws Exception {
        assertThat(options("", java25())).doesNotContain("AOT").doesNotContain("-Xlog:aot");
        Path cache = Files.createDirectories(home.resolve("aot")).resolve(BUILD + ".aot");
        Files.writeString(cache, "cache");

        assertThat(flags("", java25())).endsWith(" -XX:+UseCompactObjectHeaders " + GRANTS
                + " -Xlog:aot*=off -Xlog:aot=error:stderr -XX:AOTCache=" + cache.toRealPath());
        assertThat(options("")).as("a Java 17 has no use for it").doesNotContain("AOT");
    }

    @Test
    void aJava25ThatDoesNotNameItsBuildHasNoCacheButEverythingElse() throws Exception {
        Files.writeString(Files.createDirectories(home.resolve("aot")).resolve(".aot"), "cache");
        Map<String, String> noBuild = Map.of("FAKE_JAVA_25", "yes", "FAKE_NO_BUILD", "yes");

        assertThat(flags("", noBuild)).endsWith(" -XX:+UseCompactObjectHeaders " + GRANTS);
        assertThat(run(List.of("aot-cache"), "", noBuild).exitCode).isEqualTo(2);
    }

    @Test
    void aotCacheTrainsOnAShortBenchInAFolderOfItsOwnAndMovesTheCacheIn() throws Exception {
        Result result = run(List.of("aot-cache", "-D", "flightcdc.kafka.embedded-port=29092"), "", java25());

        assertThat(result.exitCode).as(result.output).isZero();
        Path cache = home.toRealPath().resolve("aot").resolve(BUILD + ".aot");
        assertThat(result.output).contains(" -XX:AOTCacheOutput=" + cache + ".new ")
                .containsPattern(" cli\\.FlightCdc bench --changes 50000 .* --no-peers"
                        + " --data-dir \\S+/data --out \\S+/results -D flightcdc.kafka.embedded-port=29092\n")
                .endsWith("AOT cache " + cache + " made: the commands of this release on this Java start with it.");
        assertThat(cache).hasContent("cache");
        String work = result.output.replaceAll("(?s).* --data-dir (\\S+)/data .*", "$1");
        assertThat(Path.of(work)).as("the bench's folder is removed").doesNotExist();
        assertThat(options("", java25())).contains(" -XX:AOTCache=" + cache + " ");
    }

    @Test
    void aotCacheLeavesNoCacheWhenTheTrainingFailsAndNeedsJava25() throws Exception {
        Result failed = run(List.of("aot-cache"), "", Map.of("FAKE_JAVA_25", "yes", "FAKE_TRAINING_FAILS", "yes"));

        assertThat(failed.exitCode).as(failed.output).isEqualTo(3);
        assertThat(home.resolve("aot")).isEmptyDirectory();

        Result onJava17 = run(List.of("aot-cache"), "", Map.of());
        assertThat(onJava17.exitCode).isEqualTo(2);
        assertThat(onJava17.output).contains("flight-cdc aot-cache needs Java 25 or newer");
    }

    private static Map<String, String> java25() {
        return Map.of("FAKE_JAVA_25", "yes");
    }

    /** What the script passes to java with {@code javaOpts} in JAVA_OPTS, for {@code run --no-poll}. */
    private String options(String javaOpts) throws Exception {
        return options(javaOpts, Map.of());
    }

    /** The two options that name config/'s files, as the script gives them. */
    private String config() throws Exception {
        return "-Dcamel.main.property-placeholder-location=file:" + home.toRealPath() + "/config/application.properties"
                + " -Dlog4j2.configurationFile=" + home.toRealPath() + "/config/log4j2.properties";
    }

    /** The JVM's options the script gives with {@code javaOpts}, but those naming config/'s files and the classpath. */
    private String flags(String javaOpts) throws Exception {
        return flags(javaOpts, Map.of());
    }

    private String flags(String javaOpts, Map<String, String> environment) throws Exception {
        String options = options(javaOpts, environment);
        return options.substring(0, options.indexOf(" -cp ")).replace(" " + config(), "");
    }

    private String options(String javaOpts, Map<String, String> environment) throws Exception {
        Result result = run(List.of("run", "--no-poll"), javaOpts, environment);
        assertThat(result.exitCode).as(result.output).isZero();
        return result.output;
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(List<String> args, String javaOpts, Map<String, String> environment) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", script.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(home.toFile());
        builder.environment().putAll(Map.of("JAVA_HOME", javaHome.toString(), "JAVA_OPTS", javaOpts));
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
