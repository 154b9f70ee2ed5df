package capture;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.connector.postgresql.connection.ReplicationStream;
import io.debezium.connector.postgresql.connection.WalPositionLocator;
import io.debezium.connector.postgresql.spi.SlotCreationResult;
import java.sql.SQLException;
import java.util.Optional;

/** Debezium's replication connection, every step handed to it: the base of the capture's wrappers around it. */
abstract class ForwardingReplicationConnection implements ReplicationConnection {

    private final ReplicationConnection debezium;

    ForwardingReplicationConnection(ReplicationConnection debezium) {
        this.debezium = debezium;
    }

    @Override
    public ReplicationStream startStreaming(WalPositionLocator walPosition) throws SQLException, InterruptedException {
        return debezium.startStreaming(walPosition);
    }

    @Override
    public ReplicationStream startStreaming(Lsn offset, WalPositionLocator walPosition)
            throws SQLException, InterruptedException {
        return debezium.startStreaming(offset, walPosition);
    }

    @Override
    public Optional<SlotCreationResult> createReplicationSlot() throws SQLException {
        return debezium.createReplicationSlot();
    }

    @Override
    public void initConnection() throws SQLException, InterruptedException {
        debezium.initConnection();
    }

    @Override
    public boolean isConnected() throws SQLException {
        return debezium.isConnected();
    }

    @Override
    public void reconnect() throws SQLException {
        debezium.reconnect();
    }

    @Override
    public void close() throws Exception {
        debezium.close();
    }
}
