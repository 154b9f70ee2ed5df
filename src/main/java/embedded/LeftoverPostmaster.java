package embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.StartupException;

/**
 * Clears the way for the embedded PostgreSQL when an earlier run did not stop it. Zonky runs postgres
 * as a child process, and a child outlives a parent that is killed (SIGKILL, the OOM killer): it keeps
 * the data directory and its postmaster.pid, and the next start would fail on them. A server still
 * running on our data directory is stopped with a fast shutdown (its clients are disconnected, its data
 * is checkpointed); a postmaster.pid naming a live process that is not that server is a stale file
 * (the pid was reused after a reboot) and is removed, because PostgreSQL itself would refuse to start.
 */
final class LeftoverPostmaster {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    /** The lock file's start time is written by the postmaster right after it starts; allow for clock steps. */
    private static final Duration START_TIME_TOLERANCE = Duration.ofSeconds(5);

    private LeftoverPostmaster() {
    }

    static void clear(Path dataDirectory, Duration stopTimeout) {
        refuseIfItsOwnerRuns(dataDirectory);
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        List<String> lock;
        try {
            lock = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + pidFile, e);
        }
        Optional<ProcessHandle> process = lock.isEmpty() ? Optional.empty() : number(lock.get(0)).flatMap(ProcessHandle::of);
        if (process.isEmpty() || !process.get().isAlive()) {
            return; // PostgreSQL removes a lock file whose process is gone by itself
        }
        ProcessHandle postmaster = process.get();
        Optional<Instant> lockedAt = lock.size() > 2 ? number(lock.get(2)).map(Instant::ofEpochSecond) : Optional.empty();
        if (isPostmasterOf(postmaster, lockedAt)) {
            stop(postmaster, dataDirectory, stopTimeout);
        } else if (postmaster.info().command().isPresent()) {
            deleteStale(pidFile, postmaster);
        }
    }

    /**
     * A server whose owner still runs is no leftover, and stopping it would take the database from under a running
     * pipeline. Zonky's lock on {@code epg-lock} tells: its owner holds it while its server runs, and the kernel lets
     * it go when the owner ends, however it ends.
     */
    private static void refuseIfItsOwnerRuns(Path dataDirectory) {
        Path lockFile = dataDirectory.resolve("epg-lock");
        if (!Files.exists(lockFile)) {
            return;
        }
        boolean owned;
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            owned = channel.tryLock() == null;
        } catch (OverlappingFileLockException e) {
            owned = true;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + lockFile, e);
        }
        if (owned) {
            throw EmbeddedPostgresServer.inUse(dataDirectory, null);
        }
    }

    private static boolean isPostmasterOf(ProcessHandle process, Optional<Instant> lockedAt) {
        ProcessHandle.Info info = process.info();
        boolean postgres = info.command().map(c -> Path.of(c).getFileName().toString())
                .filter(name -> name.equals("postgres") || name.equals("postgres.exe")).isPresent();
        boolean startedWhenLocked = info.startInstant().flatMap(started -> lockedAt.map(locked ->
                Duration.between(started, locked).abs().compareTo(START_TIME_TOLERANCE) <= 0)).orElse(true);
        return postgres && startedWhenLocked;
    }

    private static void stop(ProcessHandle postmaster, Path dataDirectory, Duration timeout) {
        long started = System.nanoTime();
        requestFastShutdown(postmaster);
        try {
            postmaster.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new StartupException("PostgreSQL (pid " + postmaster.pid() + ") left running on " + dataDirectory
                    + " by an earlier run did not stop within " + timeout.toSeconds() + " s; stop it and start again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("Interrupted while stopping the PostgreSQL left running on " + dataDirectory, e);
        }
        LOG.warn("Stopped the PostgreSQL (pid {}) an earlier run left running on {}, in {} ms; starting it afresh",
                postmaster.pid(), dataDirectory, Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    /**
     * SIGINT is PostgreSQL's fast shutdown; Java can only send SIGTERM, the smart shutdown, which waits
     * for every client to leave (a psql left open would hold it up forever). So SIGINT comes from
     * kill(1), and SIGTERM only where that is missing.
     */
    private static void requestFastShutdown(ProcessHandle postmaster) {
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) {
                return;
            }
        } catch (IOException e) {
            // no kill(1) here: fall back to what Java can send
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        postmaster.destroy();
    }

    private static void deleteStale(Path pidFile, ProcessHandle other) {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove the stale " + pidFile, e);
        }
        LOG.warn("Removed a stale {}: its pid {} now belongs to {}", pidFile, other.pid(),
                other.info().command().orElse("another process"));
    }

    private static Optional<Long> number(String line) {
        try {
            return Optional.of(Long.parseLong(line.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
