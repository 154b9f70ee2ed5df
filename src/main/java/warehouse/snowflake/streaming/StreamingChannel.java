package warehouse.snowflake.streaming;

import java.util.List;
import java.util.Map;
import net.snowflake.ingest.streaming.InsertValidationResponse;
import net.snowflake.ingest.streaming.OpenChannelRequest;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;

/**
 * A Snowpipe Streaming channel into one table whose offset token is a number that grows with every write,
 * so that what Snowflake committed is known exactly: the channel of a Kafka partition into its table's
 * change table, whose token is the Kafka offset of the last record written through it, or the load
 * watermark's, whose token counts its rows. After a restart or an invalidation, the channel is opened
 * again and the writer resumes right after its committed token. Opening a channel by name also fences
 * off any earlier instance of it, whose buffered rows Snowflake then never commits.
 */
final class StreamingChannel {

    private final SnowflakeStreamingIngestClient client;
    private final OpenChannelRequest request;
    private SnowflakeStreamingIngestChannel channel;

    StreamingChannel(SnowflakeStreamingIngestClient client, String database, String schema, String table, String name) {
        this.client = client;
        this.request = OpenChannelRequest.builder(name)
                .setDBName(database)
                .setSchemaName(schema)
                .setTableName(table)
                // A batch with a row Snowflake cannot take is refused whole, with the row named: the writer
                // sets that row aside and sends the batch again, so a token never covers a lost row.
                .setOnErrorOption(OpenChannelRequest.OnErrorOption.SKIP_BATCH)
                .build();
    }

    /** Opens (or opens again) the channel; returns the next token (Kafka offset) Snowflake has not committed. */
    long open() {
        channel = client.openChannel(request);
        return committedToken() + 1;
    }

    boolean isOpen() {
        return channel != null && channel.isValid() && !channel.isClosed();
    }

    /** Buffers {@code rows}; {@code token} is the last one's: its Kafka offset, or the watermark row's number. */
    InsertValidationResponse insert(List<Map<String, Object>> rows, long token) {
        return channel.insertRows(rows, Long.toString(token));
    }

    /** The token of the last row Snowflake committed through this channel, -1 if none. */
    long committedToken() {
        return parse(channel.getLatestCommittedOffsetToken());
    }

    long parse(String token) {
        if (token == null) {
            return -1;
        }
        try {
            return Long.parseLong(token);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Channel " + name() + " has the offset token '" + token
                    + "', not a number this writer wrote: another writer uses this channel name");
        }
    }

    SnowflakeStreamingIngestChannel sdkChannel() {
        return channel;
    }

    String name() {
        return request.getChannelName();
    }

    String table() {
        return request.getFullyQualifiedTableName();
    }

    void close() {
        if (channel != null && !channel.isClosed()) {
            channel.close().join();
        }
    }
}
