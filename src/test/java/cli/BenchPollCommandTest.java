package cli;

import static org.assertj.core.api.Assertions.assertThat;

import e2e.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code flight-cdc bench-poll} on a small poll: it runs the poll's own code on a real PostgreSQL, checks
 * every aircraft was inserted, updated and then left alone (it fails otherwise), and prints a figure for
 * every step. How fast is the machine's business, not the test's.
 */
class BenchPollCommandTest {

    @Test
    void writesASmallPollAndPrintsEveryStep() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "e2e")), "bench-poll-");
        StringWriter stdout = new StringWriter();
        CommandLine cli = FlightCdc.commandLine();
        cli.setOut(new PrintWriter(stdout));

        int exitCode = cli.execute("bench-poll", "--aircraft", "300", "--runs", "2", "--data-dir", dir.toString(),
                "-D", "flightcdc.source.embedded-port=" + FreePorts.one());

        assertThat(exitCode).as(stdout.toString()).isZero();
        assertThat(dir.resolve("bench-poll/postgres")).as("a PostgreSQL of its own").exists();
        assertThat(stdout.toString()).startsWith("One poll of 300 aircraft (")
                .contains("median and slowest of 2 runs")
                .containsPattern("\\| parse and validate the response \\| \\d+\\.\\d \\| \\d+\\.\\d \\|")
                .containsPattern("\\| write it into an empty table \\(all inserted\\) \\| \\d+\\.\\d \\| \\d+\\.\\d \\|")
                .containsPattern("\\| write the next poll \\(all moved: all updated\\) \\| \\d+\\.\\d \\| \\d+\\.\\d \\|")
                .containsPattern("\\| write that poll again \\(nothing changed: no row written\\) \\| \\d+\\.\\d \\| \\d+\\.\\d \\|");
    }
}
