package e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java program in a JVM of its own, made from the test classpath with the test's own java binary,
 * so a test can do to the real application what only happens to a process: SIGTERM (a graceful stop
 * through its shutdown hooks) and SIGKILL (a crash: no hook, no flush, child processes orphaned).
 * Its output goes to a file, to wait on and to read after a failure.
 *
 * <p>{@link #close()} kills it, and any process it started, if it still runs: use try-with-resources.
 */
public final class ChildJvm implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChildJvm.class);

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path output;

    private ChildJvm(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Runs {@code mainClass} with {@code args}; its stdout and stderr are written to {@code output}. */
    public static ChildJvm start(Path output, List<String> jvmOptions, String mainClass, List<String> args) {
        return start(output, jvmOptions, mainClass, args, Map.of());
    }

    /** As {@link #start(Path, List, String, List)}, with {@code environment} added to the test's own. */
    public static ChildJvm start(Path output, List<String> jvmOptions, String mainClass, List<String> args,
                                 Map<String, String> environment) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        try {
            Files.createDirectories(output.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            return new ChildJvm(process, output);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + mainClass + " in a child JVM", e);
        }
    }

    /**
     * The flight-cdc command line, as a user runs it: {@code flight-cdc <args>}, with the collector the release's
     * {@code bin/flight-cdc} picks (the parallel one, about half of G1's CPU per change on a few cores). Unlike the
     * release, these JVMs compile with C1 only: a test's run lasts a minute or two, in which C2's compiling costs more
     * than its faster code saves. A restart of {@code run} took 11.5–14.0 s and 16.5–19.7 s of CPU with C2, and
     * 9.7–10.3 s and 11.0–11.6 s without; five of the tests that start these JVMs most took 302–325 s against 363–370 s
     * (two runs each, taking turns). The code the tests check is the same either way.
     */
    public static ChildJvm flightCdc(Path output, List<String> args) {
        return flightCdc(output, args, Map.of());
    }

    /** The flight-cdc command line with {@code environment} set, as a user gives secrets (FLIGHTCDC_SOURCE_PASSWORD). */
    public static ChildJvm flightCdc(Path output, List<String> args, Map<String, String> environment) {
        return start(output, List.of("-Xmx1g", "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1"), "cli.FlightCdc", args,
                environment);
    }

    /**
     * {@code flight-cdc verify} with {@code args}, as a user runs it once the pipeline has stopped, its output in
     * {@code output}: returns its exit code, 0 when the warehouse equals the source.
     */
    public static int verify(Path output, List<String> args, Map<String, String> environment) throws InterruptedException {
        List<String> verify = new ArrayList<>(List.of("verify"));
        verify.addAll(args);
        try (ChildJvm run = flightCdc(output, verify, environment)) {
            int exit = run.awaitExit(Duration.ofMinutes(2));
            LOG.info("flight-cdc verify exited with {}: {}", exit, run.tail(3).replace('\n', ' '));
            return exit;
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path output() {
        return output;
    }

    /**
     * Waits until a line of output matches {@code pattern} and returns it.
     *
     * @throws IllegalStateException if the program exits first or the time runs out, with its last lines
     */
    public String awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean exited = !process.isAlive();
            Optional<String> match = lines().stream().filter(line -> pattern.matcher(line).find()).findFirst();
            if (match.isPresent()) {
                return match.get();
            }
            if (exited) {
                throw new IllegalStateException("Exited with " + process.exitValue() + " before printing /" + pattern
                        + "/; its output ends with:\n" + tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("No line matching /" + pattern + "/ within " + timeout.toSeconds()
                        + " s; its output ends with:\n" + tail(40));
            }
            Thread.sleep(100);
        }
    }

    /** Waits for the program to end by itself: returns the exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new IllegalStateException("Still running after " + timeout.toSeconds() + " s; killed. Its output"
                    + " ends with:\n" + tail(40));
        }
        return process.exitValue();
    }

    /** SIGTERM, then waits for the exit: returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new IllegalStateException("Did not stop within " + EXIT_TIMEOUT.toSeconds() + " s of SIGTERM;"
                    + " killed. Its output ends with:\n" + tail(40));
        }
        return process.exitValue();
    }

    /** SIGKILL (what Process.destroyForcibly sends on Linux), then waits for the exit. Its children live on. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public List<String> lines() {
        try {
            // Lenient decoding: the last line may be cut in the middle of a character.
            return new String(Files.readAllBytes(output), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String tail(int count) {
        List<String> lines = lines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    /**
     * Kills the program if it still runs, and stops the processes it started (an embedded PostgreSQL):
     * with SIGTERM, so a server shuts down its own children, and SIGKILL only if that does not work.
     */
    @Override
    public void close() {
        // Its children are known only while it lives: once it is gone they belong to init.
        List<ProcessHandle> children = process.children().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroy);
        try {
            process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            for (ProcessHandle child : children) {
                child.onExit().get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
