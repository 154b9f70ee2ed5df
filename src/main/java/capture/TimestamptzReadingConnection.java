package capture;

import io.debezium.connector.postgresql.PostgresStreamingChangeEventSource.PgConnectionSupplier;
import io.debezium.connector.postgresql.PostgresType;
import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.connector.postgresql.connection.ReplicationMessage;
import io.debezium.connector.postgresql.connection.ReplicationStream;
import io.debezium.connector.postgresql.connection.WalPositionLocator;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's replication connection, whose row changes read their {@code timestamptz} values with
 * {@link TimestamptzText} instead of Debezium's {@code DateTimeFormatter}: the same values, for less of the decoding
 * thread that bounds the capture.
 *
 * <p>How: Debezium's pgoutput decoder hands each column over as an object that reads its value from the text when
 * asked ({@code PgOutputMessageDecoder}'s anonymous column, Debezium 3.4). Each {@code timestamptz} column of an insert,
 * update or delete is handed on here as a column that reads that same text itself, and asks Debezium's column for
 * whatever it does not read (null, the infinities, BC). Where Debezium's column is not of that shape (another decoder, a
 * Debezium that names it otherwise), nothing is wrapped and Debezium reads every value, as {@link #readsText} tells.
 */
final class TimestamptzReadingConnection extends ForwardingReplicationConnection {

    private static final Logger LOG = LoggerFactory.getLogger(TimestamptzReadingConnection.class);

    /** PostgreSQL's {@code timestamptz} (pg_type.oid 1184); a domain over it or an array of it has an oid of its own. */
    private static final int TIMESTAMPTZ_OID = 1184;

    private static final Class<?> PGOUTPUT_COLUMN;
    private static final VarHandle PGOUTPUT_COLUMN_TEXT;

    static {
        Class<?> column = null;
        VarHandle text = null;
        try {
            column = Class.forName("io.debezium.connector.postgresql.connection.pgoutput.PgOutputMessageDecoder$1");
            text = MethodHandles.privateLookupIn(column, MethodHandles.lookup())
                    .findVarHandle(column, "val$valueStr", String.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("Debezium's pgoutput columns are not as Debezium 3.4 has them ({}); Debezium reads timestamptz"
                    + " values itself", e.toString());
            column = null;
        }
        PGOUTPUT_COLUMN = column;
        PGOUTPUT_COLUMN_TEXT = text;
    }

    private TimestamptzReadingConnection(ReplicationConnection debezium) {
        super(debezium);
    }

    /** Debezium's connection, its {@code timestamptz} values read here where its columns allow. */
    static ReplicationConnection of(ReplicationConnection debezium) {
        return readsText() ? new TimestamptzReadingConnection(debezium) : debezium;
    }

    /** Whether Debezium's pgoutput columns are of the shape whose text this reads. */
    static boolean readsText() {
        return PGOUTPUT_COLUMN_TEXT != null;
    }

    @Override
    public ReplicationStream startStreaming(WalPositionLocator walPosition) throws SQLException, InterruptedException {
        return new Stream(super.startStreaming(walPosition));
    }

    @Override
    public ReplicationStream startStreaming(Lsn offset, WalPositionLocator walPosition)
            throws SQLException, InterruptedException {
        return new Stream(super.startStreaming(offset, walPosition));
    }

    /** The row change as Debezium decoded it, with its {@code timestamptz} columns read here; others as they are. */
    static ReplicationMessage withTimestamptzRead(ReplicationMessage message) {
        return switch (message.getOperation()) {
            case INSERT, UPDATE, DELETE -> {
                List<ReplicationMessage.Column> oldRow = withTimestamptzRead(message.getOldTupleList());
                List<ReplicationMessage.Column> newRow = withTimestamptzRead(message.getNewTupleList());
                yield oldRow == message.getOldTupleList() && newRow == message.getNewTupleList() ? message
                        : new RowChange(message, oldRow, newRow);
            }
            default -> message;
        };
    }

    /** The same list if it holds no {@code timestamptz} column of pgoutput's shape. */
    private static List<ReplicationMessage.Column> withTimestamptzRead(List<ReplicationMessage.Column> row) {
        if (row == null) {
            return null;
        }
        List<ReplicationMessage.Column> read = null;
        for (int i = 0; i < row.size(); i++) {
            ReplicationMessage.Column column = row.get(i);
            if (column.getClass() == PGOUTPUT_COLUMN && column.getType().getOid() == TIMESTAMPTZ_OID) {
                if (read == null) {
                    read = new ArrayList<>(row);
                }
                read.set(i, new TimestamptzColumn(column, (String) PGOUTPUT_COLUMN_TEXT.get(column)));
            }
        }
        return read == null ? row : read;
    }

    /** Debezium's stream, handing its messages on with {@link #withTimestamptzRead}. */
    private record Stream(ReplicationStream debezium) implements ReplicationStream {

        @Override
        public void read(ReplicationMessageProcessor processor) throws SQLException, InterruptedException {
            debezium.read(message -> processor.process(withTimestamptzRead(message)));
        }

        @Override
        public boolean readPending(ReplicationMessageProcessor processor) throws SQLException, InterruptedException {
            return debezium.readPending(message -> processor.process(withTimestamptzRead(message)));
        }

        @Override
        public void flushLsn(Lsn lsn) throws SQLException {
            debezium.flushLsn(lsn);
        }

        @Override
        public Lsn lastReceivedLsn() {
            return debezium.lastReceivedLsn();
        }

        @Override
        public Lsn startLsn() {
            return debezium.startLsn();
        }

        @Override
        public void startKeepAlive(ExecutorService service) {
            debezium.startKeepAlive(service);
        }

        @Override
        public void stopKeepAlive() {
            debezium.stopKeepAlive();
        }

        @Override
        public void close() throws Exception {
            debezium.close();
        }
    }

    /** A row change with the rows given. */
    private record RowChange(ReplicationMessage debezium, List<Column> oldRow, List<Column> newRow)
            implements ReplicationMessage {

        @Override
        public Operation getOperation() {
            return debezium.getOperation();
        }

        @Override
        public Instant getCommitTime() {
            return debezium.getCommitTime();
        }

        @Override
        public OptionalLong getTransactionId() {
            return debezium.getTransactionId();
        }

        @Override
        public String getTable() {
            return debezium.getTable();
        }

        @Override
        public List<Column> getOldTupleList() {
            return oldRow;
        }

        @Override
        public List<Column> getNewTupleList() {
            return newRow;
        }

        @Override
        public boolean isLastEventForLsn() {
            return debezium.isLastEventForLsn();
        }

        @Override
        public boolean shouldSchemaBeSynchronized() {
            return debezium.shouldSchemaBeSynchronized();
        }

        @Override
        public boolean isTransactionalMessage() {
            return debezium.isTransactionalMessage();
        }

        @Override
        public boolean isSkippedMessage() {
            return debezium.isSkippedMessage();
        }
    }

    /** Debezium's column, its value read from {@code text} where {@link TimestamptzText} reads it. */
    private record TimestamptzColumn(ReplicationMessage.Column debezium, String text) implements ReplicationMessage.Column {

        @Override
        public Object getValue(PgConnectionSupplier connection, boolean includeUnknownDatatypes) {
            OffsetDateTime value = text == null ? null : TimestamptzText.utc(text);
            return value != null ? value : debezium.getValue(connection, includeUnknownDatatypes);
        }

        @Override
        public String getName() {
            return debezium.getName();
        }

        @Override
        public PostgresType getType() {
            return debezium.getType();
        }

        @Override
        public ReplicationMessage.ColumnTypeMetadata getTypeMetadata() {
            return debezium.getTypeMetadata();
        }

        @Override
        public boolean isOptional() {
            return debezium.isOptional();
        }

        @Override
        public boolean isToastedColumn() {
            return debezium.isToastedColumn();
        }
    }
}
