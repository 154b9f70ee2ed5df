package monitor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/** Whether the source answers, and its replication slot is there, whole, and streamed from by the capture. */
public final class SourceHealth implements ReadinessCheck.Probe {

    private static final String SLOT = "SELECT active, wal_status FROM pg_replication_slots WHERE slot_name = ?";

    private final DataSource dataSource;
    private final String slot;

    public SourceHealth(DataSource dataSource, String slot) {
        this.dataSource = dataSource;
        this.slot = slot;
    }

    @Override
    public Optional<String> problem() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SLOT)) {
            ps.setQueryTimeout(5);
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.of("replication slot '" + slot + "' does not exist: the capture has not made it yet,"
                            + " or it was dropped");
                }
                if ("lost".equals(rs.getString("wal_status"))) {
                    return Optional.of("replication slot '" + slot + "' lost WAL the capture needs (wal_status lost):"
                            + " the warehouse must be rebuilt from a new snapshot (docs/operations.md)");
                }
                if (!rs.getBoolean("active")) {
                    return Optional.of("no client streams from replication slot '" + slot + "': the capture is not"
                            + " connected to the source");
                }
                return Optional.empty();
            }
        } catch (SQLException e) {
            return Optional.of("the source PostgreSQL cannot be reached: " + e.getMessage());
        }
    }
}
