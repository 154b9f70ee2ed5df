package capture;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.connector.postgresql.connection.ReplicationStream;
import io.debezium.connector.postgresql.connection.WalPositionLocator;
import io.debezium.connector.postgresql.spi.SlotCreationResult;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Debezium's replication connection, with the slot's checks run before each step that may create the slot.
 *
 * <p>Why: Debezium 3.4 creates a missing slot not only when its task starts but also when its streaming thread
 * reconnects ({@code PostgresReplicationConnection.startStreaming} calls {@code initConnection}, which creates the
 * slot if it is gone). A new slot starts at the present: the changes made since the old one was dropped would be
 * skipped without a word. The checks at the task's start and at each commit ({@link AcknowledgedOffsetStore}) halt
 * the pipeline, but a streaming thread reconnecting at the same moment could still make the slot anew first
 * ({@code SourceDriftEndToEndTest} caught it once). The check throws before Debezium gets that far; on a first run,
 * with no stored position, it lets Debezium create the slot.
 */
final class SlotCheckedReplicationConnection extends ForwardingReplicationConnection {

    private final Runnable checkSlot;

    /** @param checkSlot throws when the slot must not be used or made (see {@link AcknowledgedOffsetStore#runResumeCheck}) */
    SlotCheckedReplicationConnection(ReplicationConnection debezium, Runnable checkSlot) {
        super(debezium);
        this.checkSlot = checkSlot;
    }

    @Override
    public ReplicationStream startStreaming(WalPositionLocator walPosition) throws SQLException, InterruptedException {
        checkSlot.run();
        return super.startStreaming(walPosition);
    }

    @Override
    public ReplicationStream startStreaming(Lsn offset, WalPositionLocator walPosition)
            throws SQLException, InterruptedException {
        checkSlot.run();
        return super.startStreaming(offset, walPosition);
    }

    @Override
    public Optional<SlotCreationResult> createReplicationSlot() throws SQLException {
        checkSlot.run();
        return super.createReplicationSlot();
    }

    @Override
    public void initConnection() throws SQLException, InterruptedException {
        checkSlot.run();
        super.initConnection();
    }

    @Override
    public void reconnect() throws SQLException {
        checkSlot.run();
        super.reconnect();
    }
}
