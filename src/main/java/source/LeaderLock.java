package source;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.StartupException;

/**
 * Which of several pipeline instances with the same settings runs the pipeline: the one whose session holds a
 * PostgreSQL advisory lock in the source, one per replication slot. The lock lives as long as its session: a leader
 * that dies lets go of it at once, as PostgreSQL ends the session of a closed connection, and one that stops answering
 * (frozen, or cut off from the source) lets go of it after the lease, as the source ends a session idle that long.
 * The leader checks its session four times per lease; once it cannot be sure it leads, it stops.
 *
 * <p>The lock is what decides who leads, not what keeps two instances from writing: the replication slot streams to one
 * client at a time, and a DuckDB file is opened by one process at a time, so an instance that lost the lead and has not
 * yet noticed cannot capture or load beside the one that took it.
 */
public final class LeaderLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderLock.class);

    /** The first half of the lock's key, the same for every slot: "FCDC". PostgreSQL's own locks never use two ints. */
    private static final int KEY = 0x46434443;

    private static final String TRY = "SELECT pg_try_advisory_lock(?, ?)";

    private static final String HOLDER = """
            SELECT a.pid, coalesce(nullif(a.application_name, ''), a.usename), coalesce(host(a.client_addr), 'the local socket'),
                   a.pid = pg_backend_pid()
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid::bigint = ? AND l.objid::bigint = ?
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """;

    private final String jdbcUrl;
    private final Properties connection;
    private final String slot;
    private final Duration lease;
    private final Consumer<String> halt;
    private Connection session;
    private boolean leading;
    private long confirmedAt;

    /**
     * @param connection the JDBC driver's properties for the source (user, password, TLS)
     * @param halt stops the pipeline, given what happened and what to do
     */
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "leader-lock");
        t.setDaemon(true);
        return t;
    });
    /** Read by the standby's health answer while {@link #awaitLead} holds this lock's monitor. */
    private volatile String waiting = "";

    public LeaderLock(String jdbcUrl, Properties connection, String slot, Duration lease, Consumer<String> halt) {
        this.jdbcUrl = jdbcUrl;
        this.connection = new Properties();
        this.connection.putAll(connection);
        // Who leads, as the standbys and pg_stat_activity see it.
        this.connection.setProperty("ApplicationName", "flight-cdc leader " + hostName() + " " + ProcessHandle.current().pid());
        // A check that hangs must not outlast the lease it is there to keep.
        String seconds = String.valueOf(Math.max(1, lease.toSeconds() / 2));
        this.connection.setProperty("connectTimeout", seconds);
        this.connection.setProperty("socketTimeout", seconds);
        this.slot = slot;
        this.lease = lease;
        this.halt = halt;
    }

    /**
     * Waits until this instance leads: until no other holds the lock. The source may be unreachable meanwhile; that is
     * said once, and it is asked again.
     */
    public synchronized void awaitLead(Duration retryEvery) throws InterruptedException {
        waiting = "standing by: asking the source who leads";
        String standingBy = null;
        String unreachable = null;
        while (true) {
            try {
                if (tryLead()) {
                    LOG.info("Leading: this instance holds the lock of slot {} and runs the pipeline{}", slot,
                            standingBy == null ? "" : "; it stood by until " + standingBy + " let go");
                    return;
                }
                Optional<String> holder = holder();
                String now = holder.orElse("another instance");
                waiting = "standing by: " + now + " leads (holds the lock of slot " + slot + ")";
                if (!now.equals(standingBy)) {
                    LOG.info("Standing by: {} leads (holds the lock of slot {}); this instance takes over when it lets go",
                            now, slot);
                    standingBy = now;
                }
                unreachable = null;
            } catch (SQLException e) {
                if (refused(e)) {
                    throw new StartupException("Cannot ask the source who leads: " + e.getMessage() + ". Fix the source's"
                            + " settings (flightcdc.source.jdbc-url, user, password); a standby waits only for a source"
                            + " that is down", e);
                }
                waiting = "standing by: cannot ask the source who leads (" + e.getMessage() + ")";
                if (!e.getMessage().equals(unreachable)) {
                    LOG.warn("Standing by: cannot ask the source who leads ({}); asking again every {} s", e.getMessage(),
                            retryEvery.toSeconds());
                    unreachable = e.getMessage();
                }
                closeSession();
            }
            Thread.sleep(retryEvery.toMillis());
        }
    }

    /**
     * Checks the lock every {@code interval} from now until {@link #close}, on a thread of its own: from the moment
     * this instance leads, not from when its routes run, since the source ends a session left idle for a lease
     * (idle_session_timeout), and a pipeline may take longer than that to start.
     */
    public void keepLeading(Duration interval) {
        checks.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** While {@link #awaitLead} waits: why, for the standby's health answer. */
    public String waiting() {
        return waiting;
    }

    /**
     * Makes sure this instance still leads (see {@link #keepLeading}). A session the source ended (a restart, the lease
     * passed) is opened again and the lock taken again when no other instance took it meanwhile; otherwise, or when
     * the source has not been reached for a whole lease (a standby may lead by now), the pipeline stops.
     */
    public synchronized void check() {
        if (session != null) {
            try {
                if (holds()) {
                    confirmedAt = System.nanoTime();
                    return;
                }
                LOG.warn("The lock of slot {} is no longer this instance's; taking it again", slot);
            } catch (SQLException e) {
                LOG.warn("Lost the session that holds the lock of slot {} ({}); taking the lock again", slot, e.getMessage());
            }
            closeSession();
        }
        try {
            if (tryLead()) {
                LOG.info("Still leading: the lock of slot {} is taken again", slot);
                return;
            }
            String holder = holder().orElse("another instance");
            halt.accept("Lost the lead: " + holder + " holds the lock of slot " + slot + " now and runs the pipeline."
                    + " This instance stops so that only one captures; start it again to stand by.");
        } catch (SQLException e) {
            closeSession();
            long unheard = System.nanoTime() - confirmedAt;
            if (unheard >= lease.toNanos()) {
                halt.accept("Lost the lead: the source has not been reached for " + Duration.ofNanos(unheard).toSeconds()
                        + " s, longer than flightcdc.failover.lease-ms, and a standby may have taken over (" + e.getMessage()
                        + "). This instance stops so that only one captures; start it again to stand by.");
            } else {
                LOG.warn("Cannot reach the source to take the lock of slot {} again ({}); trying again, and stopping if it"
                        + " is not back within the lease", slot, e.getMessage());
            }
        }
    }

    /** Lets go of the lead: the session ends, and with it the lock. */
    @Override
    public void close() {
        checks.shutdownNow();
        release();
    }

    private synchronized void release() {
        closeSession();
        if (leading) {
            leading = false;
            LOG.info("Let go of the lock of slot {}", slot);
        }
    }

    private boolean tryLead() throws SQLException {
        try (PreparedStatement ps = session().prepareStatement(TRY)) {
            ps.setInt(1, KEY);
            ps.setInt(2, slot.hashCode());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                leading = rs.getBoolean(1);
                if (leading) {
                    confirmedAt = System.nanoTime();
                }
                return leading;
            }
        }
    }

    private boolean holds() throws SQLException {
        return whoHolds().map(h -> h.self).orElse(false);
    }

    /** The source answered and refused: a wrong login or database, which waiting does not mend. */
    private static boolean refused(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("28") || state.equals("3D000");
    }

    /** Who holds the lock, as "process 1234, flight-cdc leader host-a 77 from 10.0.0.5", when anyone does. */
    private Optional<String> holder() throws SQLException {
        return whoHolds().map(h -> h.description);
    }

    private record Holder(String description, boolean self) {
    }

    private Optional<Holder> whoHolds() throws SQLException {
        try (PreparedStatement ps = session().prepareStatement(HOLDER)) {
            ps.setLong(1, Integer.toUnsignedLong(KEY));
            ps.setLong(2, Integer.toUnsignedLong(slot.hashCode()));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Holder("process " + rs.getInt(1) + " (" + rs.getString(2) + " from "
                        + rs.getString(3) + ")", rs.getBoolean(4)));
            }
        }
    }

    private Connection session() throws SQLException {
        if (session == null) {
            Connection opened = DriverManager.getConnection(jdbcUrl, connection);
            try (Statement s = opened.createStatement()) {
                // The source ends the session, and so lets go of the lock, once the leader has not been heard for a
                // lease: a frozen leader by idle_session_timeout (PostgreSQL 14 on), a vanished host by TCP keepalives.
                long seconds = Math.max(1, lease.toSeconds() / 3);
                s.execute("SET tcp_keepalives_idle = " + seconds + "; SET tcp_keepalives_interval = " + seconds
                        + "; SET tcp_keepalives_count = 2");
                if (opened.getMetaData().getDatabaseMajorVersion() >= 14) {
                    s.execute("SET idle_session_timeout = " + lease.toMillis());
                }
            } catch (SQLException e) {
                opened.close();
                throw e;
            }
            session = opened;
        }
        return session;
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                LOG.debug("Closing the lock's session: {}", e.getMessage());
            }
            session = null;
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
