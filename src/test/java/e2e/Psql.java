package e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** PostgreSQL's psql, as users and their DBAs run it against a server on 127.0.0.1. */
final class Psql {

    /** Why a test that needs psql cannot run, for an assumption or a failure. */
    static final String MISSING = "psql is not installed (Debian: apt-get install postgresql-client; .ci/run installs it)";

    private Psql() {
    }

    /** psql on the PATH, if there is one. */
    static Optional<Path> installed() {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "psql")).filter(Files::isExecutable).findFirst();
    }

    /**
     * Runs psql with {@code args} against database {@code database} on 127.0.0.1:{@code port}, stopping at the first
     * error; its output goes to {@code log}.
     *
     * @throws IllegalStateException if psql is missing, fails, or runs for over 2 minutes, with its output
     */
    static void run(int port, String user, String password, String database, Path log, String... args) throws Exception {
        Path psql = installed().orElseThrow(() -> new IllegalStateException(MISSING));
        List<String> command = new ArrayList<>(List.of(psql.toString(), "-X", "-q", "-h", "127.0.0.1",
                "-p", String.valueOf(port), "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1"));
        command.addAll(List.of(args));
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PGPASSWORD", password);
        Process process = builder.start();
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("psql did not finish within 2 minutes; its output: " + Files.readString(log));
            }
        } finally {
            process.destroyForcibly();
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("psql exited with " + process.exitValue() + "; its output: " + Files.readString(log));
        }
    }
}
