package cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line wins over environment variables, and they over application.properties. Run in a
 * child JVM, the only way to give the application environment variables of its own.
 */
class SettingPrecedenceTest {

    @TempDir
    Path dir;

    @Test
    void anOptionWinsOverTheEnvironmentVariableOfTheSameSetting() throws Exception {
        Path fromEnvironment = dir.resolve("env");
        Path fromOption = dir.resolve("option");

        Result result = run(Map.of("FLIGHTCDC_DATA_DIR", fromEnvironment.toString()),
                "verify", "--data-dir", fromOption.toString());

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.output).contains("No embedded PostgreSQL data in " + fromOption.resolve("postgres"));
    }

    @Test
    void anEnvironmentVariableWinsOverApplicationProperties() throws Exception {
        Path fromEnvironment = dir.resolve("env");

        Result result = run(Map.of("FLIGHTCDC_DATA_DIR", fromEnvironment.toString()), "verify");

        assertThat(result.output).contains("No embedded PostgreSQL data in " + fromEnvironment.resolve("postgres"));
    }

    @Test
    void runChecksTheOptionAndNotTheEnvironmentVariableItOverrides() throws Exception {
        Result result = run(Map.of("FLIGHTCDC_SIMULATOR_AIRCRAFT", "100"), "run", "--data-dir", dir.toString(),
                "--aircraft", "-5");

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.output).contains("Setting flightcdc.simulator.aircraft must be between 0 and 1000000, got -5");
    }

    /** As the release's launcher names config/application.properties, for the AOT cache's classpath without folders. */
    @Test
    void theFileCamelMainIsToldOfIsTheOneEveryCommandReads() throws Exception {
        Path edited = dir.resolve("edited");

        Result verify = run(List.of(location("flightcdc.data-dir = data", "flightcdc.data-dir = " + edited)), Map.of(),
                "verify");
        Result run = run(List.of(location("flightcdc.simulator.aircraft = 10000", "flightcdc.simulator.aircraft = -7")),
                Map.of(), "run", "--no-poll");

        assertThat(verify.output).contains("No embedded PostgreSQL data in " + edited.resolve("postgres"));
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.output).contains("Setting flightcdc.simulator.aircraft must be between 0 and 1000000, got -7");
    }

    /** The JVM option naming a copy of the shipped application.properties with one line changed. */
    private String location(String line, String replacement) throws IOException {
        String shipped = Files.readString(Path.of("src/main/resources/application.properties"));
        assertThat(shipped).contains("\n" + line + "\n");
        Path file = Files.createTempFile(dir, "application", ".properties");
        Files.writeString(file, shipped.replace("\n" + line + "\n", "\n" + replacement + "\n"));
        return "-Dcamel.main.property-placeholder-location=file:" + file;
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        return run(List.of(), environment, args);
    }

    private Result run(List<String> jvmOptions, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), FlightCdc.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("FLIGHTCDC_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("flight-cdc " + String.join(" ", args) + " did not end:\n" + output);
            }
            return new Result(process.exitValue(), output);
        } finally {
            process.destroyForcibly();
        }
    }
}
