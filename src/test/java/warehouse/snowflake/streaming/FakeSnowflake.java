package warehouse.snowflake.streaming;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import net.snowflake.ingest.streaming.DropChannelRequest;
import net.snowflake.ingest.streaming.InsertValidationResponse;
import net.snowflake.ingest.streaming.OpenChannelRequest;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import net.snowflake.ingest.streaming.internal.ColumnProperties;
import net.snowflake.ingest.utils.ErrorCode;
import net.snowflake.ingest.utils.SFException;

/**
 * Snowflake as the Snowpipe Streaming SDK shows it to a writer, behind the SDK's own client and channel
 * interfaces: tables of committed rows, and channels that buffer rows until a flush commits them with
 * their offset token. Opening a channel again fences off the earlier instance, whose buffered rows are
 * then never committed, as Snowflake does. Faults are switched on by the tests.
 *
 * <p>One fake is one Snowflake account: a new client over the same fake is a restarted process.
 */
public final class FakeSnowflake {

    private final Map<String, Set<String>> columns = new HashMap<>();
    private final Map<String, List<Map<String, Object>>> committed = new HashMap<>();
    private final Map<String, String> tokens = new HashMap<>();
    private final Map<String, Channel> current = new HashMap<>();

    /** Rows Snowflake refuses, with the reason, as it does a value that does not fit its column. */
    Function<Map<String, Object>, String> refuse = row -> null;
    /** Channels whose next insert throws, as when the SDK cannot buffer (a closed client, a full buffer). */
    final Set<String> failNextInsert = new java.util.HashSet<>();
    /** Channels Snowflake invalidates at the next flush, dropping what they buffered. */
    final Set<String> invalidateAtFlush = new java.util.HashSet<>();
    /** While set, flushes commit nothing: Snowflake is slow or unreachable. */
    boolean stalled;
    int flushes;
    int inserts;
    /** Each batch of rows committed, in the order Snowflake committed them: channel@token. */
    final List<String> commits = new ArrayList<>();

    /** A table the writer may stream into, with its columns: a row naming another column is refused. */
    public void table(String fullyQualifiedName, Set<String> tableColumns) {
        columns.put(fullyQualifiedName, tableColumns);
        committed.put(fullyQualifiedName, new ArrayList<>());
    }

    /** What Snowflake committed to the table; a copy, since a pipeline's loader may be writing meanwhile. */
    public synchronized List<Map<String, Object>> rows(String fullyQualifiedTable) {
        return List.copyOf(committed.get(fullyQualifiedTable));
    }

    public synchronized String committedToken(String channelName) {
        return tokens.get(channelName);
    }

    public Client newClient() {
        return new Client();
    }

    public final class Client implements SnowflakeStreamingIngestClient {

        private boolean closed;

        @Override
        public SnowflakeStreamingIngestChannel openChannel(OpenChannelRequest request) {
            if (!columns.containsKey(request.getFullyQualifiedTableName())) {
                throw new SFException(ErrorCode.OPEN_CHANNEL_FAILURE, "table " + request.getFullyQualifiedTableName()
                        + " does not exist");
            }
            if (request.getOnErrorOption() != OpenChannelRequest.OnErrorOption.SKIP_BATCH) {
                throw new AssertionError("the writer relies on SKIP_BATCH, got " + request.getOnErrorOption());
            }
            Channel channel = new Channel(request);
            Channel earlier = current.put(channel.getFullyQualifiedName(), channel);
            if (earlier != null) {
                earlier.valid = false;
                earlier.buffer.clear();
            }
            return channel;
        }

        @Override
        public CompletableFuture<Void> flush() {
            flushes++;
            for (Channel channel : List.copyOf(current.values())) {
                if (invalidateAtFlush.remove(channel.name)) {
                    channel.valid = false;
                    channel.buffer.clear();
                } else if (!stalled) {
                    channel.commit();
                }
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Map<String, String> getLatestCommittedOffsetTokens(List<SnowflakeStreamingIngestChannel> channels) {
            Map<String, String> result = new HashMap<>();
            channels.forEach(c -> result.put(c.getFullyQualifiedName(), tokens.get(c.getFullyQualifiedName())));
            return result;
        }

        @Override
        public void dropChannel(DropChannelRequest request) {
            throw new UnsupportedOperationException("the writer never drops a channel");
        }

        @Override
        public String getName() {
            return "fake";
        }

        @Override
        public void setRefreshToken(String token) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final class Channel implements SnowflakeStreamingIngestChannel {

        private final OpenChannelRequest request;
        private final String name;
        private final List<Batch> buffer = new ArrayList<>();
        private boolean valid = true;
        private boolean closed;

        Channel(OpenChannelRequest request) {
            this.request = request;
            this.name = request.getFullyQualifiedTableName() + "." + request.getChannelName();
        }

        private void commit() {
            synchronized (FakeSnowflake.this) {
                for (Batch b : buffer) {
                    committed.get(request.getFullyQualifiedTableName()).addAll(b.rows());
                    tokens.put(name, b.token());
                    commits.add(name + "@" + b.token());
                }
                buffer.clear();
            }
        }

        @Override
        public InsertValidationResponse insertRows(Iterable<Map<String, Object>> rows, String offsetToken) {
            inserts++;
            if (!valid || closed) {
                throw new SFException(ErrorCode.INVALID_CHANNEL, name, "invalidated");
            }
            if (failNextInsert.remove(name)) {
                throw new SFException(ErrorCode.INTERNAL_ERROR, "buffer full");
            }
            InsertValidationResponse response = new InsertValidationResponse();
            List<Map<String, Object>> copy = new ArrayList<>();
            long index = 0;
            for (Map<String, Object> row : rows) {
                Set<String> unknown = new java.util.TreeSet<>(row.keySet());
                unknown.removeAll(columns.get(request.getFullyQualifiedTableName()));
                String refused = unknown.isEmpty() ? refuse.apply(row) : "unknown columns " + unknown;
                if (refused != null) {
                    InsertValidationResponse.InsertError error = new InsertValidationResponse.InsertError(row, index);
                    error.setException(new SFException(ErrorCode.INVALID_VALUE_ROW, refused, index, "fake"));
                    response.addError(error);
                }
                copy.add(new HashMap<>(row));
                index++;
            }
            if (!response.hasErrors()) {
                buffer.add(new Batch(copy, offsetToken));
            }
            return response;
        }

        @Override
        public InsertValidationResponse insertRows(Iterable<Map<String, Object>> rows, String start, String end) {
            return insertRows(rows, end);
        }

        @Override
        public InsertValidationResponse insertRow(Map<String, Object> row, String offsetToken) {
            return insertRows(List.of(row), offsetToken);
        }

        @Override
        public String getLatestCommittedOffsetToken() {
            if (!valid) {
                throw new SFException(ErrorCode.INVALID_CHANNEL, name, "invalidated");
            }
            return tokens.get(name);
        }

        @Override
        public String getFullyQualifiedName() {
            return name;
        }

        @Override
        public String getName() {
            return request.getChannelName();
        }

        @Override
        public String getDBName() {
            return request.getDBName();
        }

        @Override
        public String getSchemaName() {
            return request.getSchemaName();
        }

        @Override
        public String getTableName() {
            return request.getTableName();
        }

        @Override
        public String getFullyQualifiedTableName() {
            return request.getFullyQualifiedTableName();
        }

        @Override
        public boolean isValid() {
            return valid;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletableFuture<Void> close() {
            return close(false);
        }

        @Override
        public CompletableFuture<Void> close(boolean drop) {
            if (valid && !closed) {
                commit();
            }
            closed = true;
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Map<String, ColumnProperties> getTableSchema() {
            return Map.of();
        }
    }

    private record Batch(List<Map<String, Object>> rows, String token) {
    }
}
