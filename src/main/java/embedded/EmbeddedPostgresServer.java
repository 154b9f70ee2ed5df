package embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import app.StartupException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 server run from the zonky binaries, set up for logical decoding. Its data
 * directory is kept between runs so the pipeline resumes where it stopped, also after a run that was
 * killed and left its server behind (see LeftoverPostmaster). Zonky runs PostgreSQL with fsync off:
 * fine for a laptop demo and tests, not for data you care about.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
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
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setRegisterShutdownHook(stopOnJvmExit)
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
            LOG.info("Embedded PostgreSQL 17 ready on 127.0.0.1:{} in {} ms (data in {})", port,
                    Duration.ofNanos(System.nanoTime() - started).toMillis(), dataDirectory);
            return new EmbeddedPostgresServer(postgres);
        } catch (IOException e) {
            throw new StartupException("Could not start the embedded PostgreSQL on port " + port
                    + " (is the port in use? set flightcdc.source.embedded-port)", e);
        } catch (IllegalStateException e) {
            if (!String.valueOf(e.getMessage()).startsWith("could not lock")) {
                throw e;
            }
            // zonky holds a file lock in the data directory while its server runs.
            throw new StartupException("The embedded PostgreSQL data in " + dataDirectory + " is in use by another"
                    + " process: stop the pipeline that uses it first", e);
        }
    }

    public String jdbcUrl() {
        // The server listens on 127.0.0.1 only; "localhost" (zonky's default) may resolve to ::1 first.
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    @Override
    public void close() throws IOException {
        postgres.close();
        LOG.info("Embedded PostgreSQL stopped");
    }
}
