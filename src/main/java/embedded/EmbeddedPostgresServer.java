package embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.StartupException;

/**
 * A real PostgreSQL 17 server run from the zonky binaries, set up for logical decoding. Its data
 * directory is kept between runs so the pipeline resumes where it stopped, also after a run that was
 * killed and left its server behind (see LeftoverPostmaster). Zonky runs PostgreSQL with fsync off:
 * fine for a laptop demo and tests, not for data you care about.
 *
 * <p>It has one user, the superuser {@value #SUPERUSER}, whose password is made up on the first start
 * and kept beside the data directory (see SuperuserPassword); every connection must give it (see
 * PasswordAuthentication). A data directory made when the server trusted every local connection is
 * brought to that on its next start.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    /** The one user the embedded server has: its superuser. */
    public static final String SUPERUSER = "postgres";

    private final EmbeddedPostgres postgres;
    private final String password;
    private final Path passwordFile;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, String password, Path passwordFile) {
        this.postgres = postgres;
        this.password = password;
        this.passwordFile = passwordFile;
    }

    /** Starts a server that also stops by itself when the JVM exits. */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port) {
        return start(dataDirectory, port, true);
    }

    /**
     * Starts a server that only its owner stops. The pipeline stops PostgreSQL after Camel has stopped
     * the routes using it; a JVM shutdown hook of its own would stop it under them, in parallel with
     * Camel's, so the last changes of a Ctrl-C would fail instead of finishing.
     */
    public static EmbeddedPostgresServer startOwned(Path dataDirectory, int port) {
        return start(dataDirectory, port, false);
    }

    private static EmbeddedPostgresServer start(Path dataDirectory, int port, boolean stopOnJvmExit) {
        LeftoverPostmaster.clear(dataDirectory, Duration.ofSeconds(60));
        long started = System.nanoTime();
        // Zonky runs initdb when, and only when, the data directory has no postgresql.conf.
        boolean initialised = Files.exists(dataDirectory.resolve("postgresql.conf"));
        boolean passwordRequired = initialised && PasswordAuthentication.isRequired(dataDirectory);
        Path passwordFile = passwordFile(dataDirectory);
        // A server that asks for a password has one in the file already; only a new or an older, trusting one gets a new one.
        String password = passwordRequired ? SuperuserPassword.read(passwordFile) : SuperuserPassword.readOrCreate(passwordFile);
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setRegisterShutdownHook(stopOnJvmExit)
                    // Zonky hands its "locale" settings to initdb as --key=value, whatever they are: a new cluster gets
                    // the superuser's password and password authentication from its very first start.
                    .setLocaleConfig("auth", "scram-sha-256")
                    .setLocaleConfig("pwfile", passwordFile.toAbsolutePath().toString())
                    .setDataDirectoryCustomizer(directory -> {
                        if (!initialised) {
                            PasswordAuthentication.require(directory.toPath());
                        }
                    })
                    // What zonky's own check that the server is up connects with.
                    .setConnectConfig("password", password)
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("max_replication_slots", "10")
                    // Zonky commits without waiting for the WAL flush, and logical decoding sends only flushed
                    // WAL: with the default 200 ms between WAL writer flushes, a change waited up to 200 ms
                    // before Debezium could see it.
                    .setServerConfig("wal_writer_delay", "10ms")
                    // PREPARE TRANSACTION is refused while this is 0 (PostgreSQL's default), and only a restart
                    // changes it: applications that commit in two phases would fail against the embedded server.
                    .setServerConfig("max_prepared_transactions", "10")
                    .start();
        } catch (IOException e) {
            if (refusedThePassword(e)) {
                throw new StartupException("The embedded PostgreSQL in " + dataDirectory + " refuses the password in "
                        + passwordFile + ": put back the file it was made with, or start from scratch with --reset"
                        + " (which deletes its data)", e);
            }
            throw new StartupException("Could not start the embedded PostgreSQL on port " + port
                    + " (is the port in use? set flightcdc.source.embedded-port)", e);
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).startsWith("Missing embedded postgres binaries")) {
                throw new StartupException("There is no embedded PostgreSQL for " + System.getProperty("os.name") + " on "
                        + System.getProperty("os.arch") + ": it runs on Linux and macOS, on x86-64 and arm64. Fix: point"
                        + " flightcdc.source.jdbc-url (run --postgres-url) at a PostgreSQL 14 or newer of your own,"
                        + " with wal_level=logical", e);
            }
            if (!String.valueOf(e.getMessage()).startsWith("could not lock")) {
                throw e;
            }
            throw inUse(dataDirectory, e);
        }
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, password, passwordFile);
        if (!PasswordAuthentication.isRequired(dataDirectory)) {
            server.requirePassword(dataDirectory);
        }
        LOG.info("Embedded PostgreSQL 17 ready on 127.0.0.1:{} in {} ms (data in {}; user {}, password in {})", port,
                Duration.ofNanos(System.nanoTime() - started).toMillis(), dataDirectory, SUPERUSER, passwordFile);
        return server;
    }

    /** Zonky holds a file lock in the data directory while its server runs: another pipeline's server. */
    static StartupException inUse(Path dataDirectory, Exception cause) {
        return new StartupException("The embedded PostgreSQL data in " + dataDirectory + " is in use by another"
                + " process: stop the pipeline that uses it first", cause);
    }

    /** A server made by an older version trusts every local connection: from now on it asks for the password. */
    private void requirePassword(Path dataDirectory) {
        try {
            PasswordAuthentication.enable(jdbcUrl(), SUPERUSER, password, dataDirectory);
        } catch (SQLException | RuntimeException e) {
            closeQuietly();
            throw new StartupException("Could not make the embedded PostgreSQL in " + dataDirectory
                    + " ask for a password: " + e.getMessage(), e);
        }
        LOG.warn("The embedded PostgreSQL in {} let every local user in as its superuser without a password;"
                + " from now on it asks for the password in {}", dataDirectory, passwordFile);
    }

    private static boolean refusedThePassword(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && "28P01".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Where the password of the server with its data in {@code dataDirectory} is kept: beside it, as NAME.password. */
    public static Path passwordFile(Path dataDirectory) {
        return SuperuserPassword.file(dataDirectory);
    }

    public String jdbcUrl() {
        // The server listens on 127.0.0.1 only; "localhost" (zonky's default) may resolve to ::1 first.
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    public String user() {
        return SUPERUSER;
    }

    /** The superuser's password, as kept in {@link #passwordFile()}. */
    public String password() {
        return password;
    }

    public Path passwordFile() {
        return passwordFile;
    }

    /** A new connection to the postgres database as the superuser; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), SUPERUSER, password);
    }

    private void closeQuietly() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("Could not stop the embedded PostgreSQL cleanly: {}", e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
        LOG.info("Embedded PostgreSQL stopped");
    }
}
