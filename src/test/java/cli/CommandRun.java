package cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** A flight-cdc command run as {@code main} runs it, exit code and both outputs kept for the test to read. */
record CommandRun(int exitCode, String out, String err) {

    static CommandRun of(String command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> line = new ArrayList<>(List.of(command));
        line.addAll(List.of(args));
        int exitCode = FlightCdc.commandLine()
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(line.toArray(String[]::new));
        return new CommandRun(exitCode, out.toString(), err.toString());
    }
}
