package monitor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much WAL the pipeline's replication slot keeps PostgreSQL from removing. It grows while
 * Debezium does not confirm positions (capture stopped, stuck or behind), and left alone it fills
 * the source's disk, so past a threshold it is reported with what to do.
 */
public final class ReplicationSlotMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationSlotMonitor.class);
    private static final double MB = 1024.0 * 1024.0;

    private static final String RETAINED_WAL = """
            SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint
            FROM pg_replication_slots WHERE slot_name = ? AND restart_lsn IS NOT NULL
            """;

    private final DataSource dataSource;
    private final String slot;
    private final int warnAboveMb;
    private volatile OptionalLong retainedWalBytes = OptionalLong.empty();

    public ReplicationSlotMonitor(DataSource dataSource, String slot, int warnAboveMb) {
        this.dataSource = dataSource;
        this.slot = slot;
        this.warnAboveMb = warnAboveMb;
    }

    /** Measures the retained WAL and logs it (a warning above the threshold); empty while there is no slot. */
    public OptionalLong check() throws SQLException {
        OptionalLong measured = measure();
        retainedWalBytes = measured;
        if (measured.isEmpty()) {
            LOG.debug("Replication slot '{}' does not exist (yet): Debezium creates it when it starts", slot);
            return measured;
        }
        double mb = measured.getAsLong() / MB;
        if (mb > warnAboveMb) {
            LOG.warn(String.format("Replication slot '%s' retains %.1f MB of WAL (warning above %d MB): PostgreSQL"
                    + " keeps it until Debezium confirms it. Check that the capture route is running and keeping up;"
                    + " if this pipeline is retired for good, drop the slot: SELECT pg_drop_replication_slot('%s');",
                    slot, mb, warnAboveMb, slot));
        } else {
            LOG.debug(String.format("Replication slot '%s' retains %.1f MB of WAL", slot, mb));
        }
        return measured;
    }

    /** The retained WAL in bytes at the last check, for metrics; empty before the first or without a slot. */
    public OptionalLong retainedWalBytes() {
        return retainedWalBytes;
    }

    private OptionalLong measure() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(RETAINED_WAL)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }
}
