package capture;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * The position in the source database, in the pipeline's own schema (sql/pipeline/V2__capture_position.sql), one
 * set of rows per replication slot: where a restarted container, or another instance of the pipeline, finds it
 * beside the slot it belongs to. Each write replaces the slot's rows in one transaction.
 */
public final class PositionTable implements PositionStorage {

    private final DataSource dataSource;
    private final String table;
    private final String slot;

    /** @param schema the pipeline's own schema (flightcdc.source.schema) */
    public PositionTable(DataSource dataSource, String schema, String slot) {
        this.dataSource = dataSource;
        this.table = schema + ".capture_position";
        this.slot = slot;
    }

    @Override
    public Map<ByteBuffer, ByteBuffer> read() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT key, value FROM " + table + " WHERE slot = ?")) {
            ps.setString(1, slot);
            Map<ByteBuffer, ByteBuffer> positions = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] value = rs.getBytes(2);
                    positions.put(ByteBuffer.wrap(rs.getBytes(1)), value == null ? null : ByteBuffer.wrap(value));
                }
            }
            return positions;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the capture position in " + describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(Map<ByteBuffer, ByteBuffer> positions) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE slot = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (slot, key, value) VALUES (?, ?, ?)")) {
                delete.setString(1, slot);
                delete.executeUpdate();
                for (Map.Entry<ByteBuffer, ByteBuffer> position : positions.entrySet()) {
                    if (position.getKey() == null) {
                        continue; // Kafka Connect never writes one; a null key has no row to be
                    }
                    insert.setString(1, slot);
                    insert.setBytes(2, PositionFile.bytes(position.getKey()));
                    insert.setBytes(3, position.getValue() == null ? null : PositionFile.bytes(position.getValue()));
                    insert.addBatch();
                }
                insert.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new ConnectException("Could not write the capture position to " + describe() + ": " + e.getMessage(), e);
        }
    }

    /** Takes over the positions of {@code earlier} where this table holds none for the slot yet; returns whether it did. */
    public boolean takeOver(PositionStorage earlier) {
        if (!read().isEmpty()) {
            return false;
        }
        Map<ByteBuffer, ByteBuffer> positions = earlier.read();
        if (positions.isEmpty()) {
            return false;
        }
        write(positions);
        return true;
    }

    /** Forgets the slot's positions, as --reset does with the local file; nothing to forget before the table exists. */
    public void clear() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, table);
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return;
                }
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE slot = ?")) {
                delete.setString(1, slot);
                delete.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot remove the capture position from " + describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return table + " (slot " + slot + ")";
    }
}
