package bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logical replication slot the benchmark creates for a reader of its own (the ceiling, the peer),
 * before the changes are written, so that reader decodes exactly the WAL our capture decodes. A slot
 * nobody reads pins WAL for ever: closing drops it, first ending a reader still attached to it.
 */
final class LogicalSlot implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogicalSlot.class);
    /** A reader's walsender ends within moments of its client going away. */
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(15);

    private final DataSource source;
    private final String name;

    private LogicalSlot(DataSource source, String name) {
        this.source = source;
        this.name = name;
    }

    /** Creates the slot (dropping a leftover of the same name first); it retains WAL from now on. */
    static LogicalSlot create(DataSource source, String name, String plugin) throws SQLException, InterruptedException {
        LogicalSlot slot = new LogicalSlot(source, name);
        slot.drop();
        try (Connection c = source.getConnection();
             PreparedStatement create = c.prepareStatement("SELECT lsn FROM pg_create_logical_replication_slot(?, ?)")) {
            create.setString(1, name);
            create.setString(2, plugin);
            try (ResultSet rs = create.executeQuery()) {
                rs.next();
                LOG.info("Bench: replication slot {} ({}) created at {}", name, plugin, rs.getString(1));
            }
        }
        return slot;
    }

    String name() {
        return name;
    }

    /**
     * The end of the WAL inserted so far: every change committed so far lies before it. Not the write
     * position (pg_current_wal_lsn): with synchronous_commit off, the last commits may still wait in
     * PostgreSQL's WAL buffers, past it.
     */
    static String insertLsn(DataSource source) throws SQLException {
        try (Connection c = source.getConnection();
             PreparedStatement lsn = c.prepareStatement("SELECT pg_current_wal_insert_lsn()::text");
             ResultSet rs = lsn.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Waits until no walsender reads {@code slot}, e.g. after its reader stopped; false if one still does. */
    static boolean awaitReleased(DataSource source, String slot, Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = source.getConnection();
             PreparedStatement active = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            active.setString(1, slot);
            while (true) {
                try (ResultSet rs = active.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        return true;
                    }
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public void close() throws SQLException, InterruptedException {
        if (drop()) {
            LOG.info("Bench: replication slot {} dropped", name);
        }
    }

    private boolean drop() throws SQLException, InterruptedException {
        if (!awaitReleased(source, name, RELEASE_TIMEOUT)) {
            // A reader that did not let go (killed mid-stream, its walsender not yet timed out) must not keep the WAL.
            try (Connection c = source.getConnection();
                 PreparedStatement end = c.prepareStatement(
                         "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active")) {
                end.setString(1, name);
                end.execute();
            }
            awaitReleased(source, name, RELEASE_TIMEOUT);
        }
        try (Connection c = source.getConnection();
             PreparedStatement drop = c.prepareStatement(
                     "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            drop.setString(1, name);
            try (ResultSet rs = drop.executeQuery()) {
                return rs.next();
            }
        }
    }
}
