package embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import settings.StartupException;

/**
 * The embedded server's client authentication (pg_hba.conf): every connection, over the local socket or
 * loopback TCP, replication included, proves the password with scram-sha-256. Zonky's initdb writes
 * rules that trust every local connection, so that any user of the machine could connect as the
 * superuser without one; servers made by older versions of this project still have them.
 */
final class PasswordAuthentication {

    private static final String HBA_FILE = "pg_hba.conf";
    /** PostgreSQL's SQLSTATE for a wrong password. */
    private static final String INVALID_PASSWORD = "28P01";
    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(30);

    static final String RULES = """
            # Written by flight-cdc, and written again at start if it differs: every connection proves its
            # password with scram-sha-256. The superuser postgres's password is in the .password file beside
            # this data directory.
            # TYPE  DATABASE     USER  ADDRESS        METHOD
            local   all          all                  scram-sha-256
            host    all          all   127.0.0.1/32   scram-sha-256
            host    all          all   ::1/128        scram-sha-256
            local   replication  all                  scram-sha-256
            host    replication  all   127.0.0.1/32   scram-sha-256
            host    replication  all   ::1/128        scram-sha-256
            """;

    private PasswordAuthentication() {
    }

    /** Whether the server on {@code dataDirectory} asks every connection for a password. */
    static boolean isRequired(Path dataDirectory) {
        try {
            return Files.readString(dataDirectory.resolve(HBA_FILE)).equals(RULES);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + dataDirectory.resolve(HBA_FILE), e);
        }
    }

    /** Writes the rules; a running server applies them once reloaded. */
    static void require(Path dataDirectory) {
        Path hba = dataDirectory.resolve(HBA_FILE);
        try {
            Path written = Files.createTempFile(dataDirectory, HBA_FILE, ".tmp");
            try {
                Files.writeString(written, RULES);
                Files.move(written, hba, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(written);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + hba, e);
        }
    }

    /**
     * Makes a running server that trusts local connections ask for the password: sets the superuser's
     * password, then the rules, reloads them, and returns once a wrong password is refused. The password
     * is sent as a SCRAM verifier computed here, so it never reaches the server, whose log might show
     * the statement. In that order, a crash at any step leaves a server the next start can still enter
     * and finish.
     */
    static void enable(String jdbcUrl, String user, String password, Path dataDirectory) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            c.unwrap(PGConnection.class).alterUserPassword(user, password.toCharArray(), "scram-sha-256");
            require(dataDirectory);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_reload_conf()");
            }
        }
        awaitRefusal(jdbcUrl, user, password + "-wrong");
    }

    /** The reload is asynchronous: the postmaster rereads the rules when it handles the signal. */
    private static void awaitRefusal(String jdbcUrl, String user, String wrongPassword) throws SQLException {
        long deadline = System.nanoTime() + RELOAD_TIMEOUT.toNanos();
        while (true) {
            try (Connection ignored = DriverManager.getConnection(jdbcUrl, user, wrongPassword)) {
                if (System.nanoTime() > deadline) {
                    throw new StartupException("The embedded PostgreSQL still lets a wrong password in "
                            + RELOAD_TIMEOUT.toSeconds() + " s after its " + HBA_FILE + " was rewritten");
                }
            } catch (SQLException e) {
                if (INVALID_PASSWORD.equals(e.getSQLState())) {
                    return;
                }
                throw e;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("Interrupted while the embedded PostgreSQL reloaded " + HBA_FILE, e);
            }
        }
    }
}
