package warehouse.snowflake.streaming;

import java.util.List;
import java.util.Map;
import net.snowflake.ingest.streaming.InsertValidationResponse;
import net.snowflake.ingest.streaming.OpenChannelRequest;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import warehouse.KafkaPartition;

/**
 * The Snowpipe Streaming channel of one Kafka partition into its table's change table. The channel's
 * offset token is the Kafka offset of the last record written through it, so what Snowflake committed
 * is known exactly: after a restart or an invalidation, the channel is opened again and the partition
 * resumes right after its committed token. Opening a channel by name also fences off any earlier
 * instance of it, whose buffered rows Snowflake then never commits.
 */
final class PartitionChannel {

    private final SnowflakeStreamingIngestClient client;
    private final OpenChannelRequest request;
    private final KafkaPartition partition;
    private SnowflakeStreamingIngestChannel channel;

    PartitionChannel(SnowflakeStreamingIngestClient client, String database, String schema, String table, String name,
                     KafkaPartition partition) {
        this.client = client;
        this.partition = partition;
        this.request = OpenChannelRequest.builder(name)
                .setDBName(database)
                .setSchemaName(schema)
                .setTableName(table)
                // A batch with a row Snowflake cannot take is refused whole, with the row named: the writer
                // sets that row aside and sends the batch again, so a token never covers a lost row.
                .setOnErrorOption(OpenChannelRequest.OnErrorOption.SKIP_BATCH)
                .build();
    }

    /** Opens (or opens again) the channel; returns the next Kafka offset Snowflake has not committed. */
    long open() {
        channel = client.openChannel(request);
        return committedOffset() + 1;
    }

    boolean isOpen() {
        return channel != null && channel.isValid() && !channel.isClosed();
    }

    /** Buffers {@code rows}, the last of which is the record at Kafka offset {@code lastOffset}. */
    InsertValidationResponse insert(List<Map<String, Object>> rows, long lastOffset) {
        return channel.insertRows(rows, Long.toString(lastOffset));
    }

    /** The offset of the last record Snowflake committed through this channel, -1 if none. */
    long committedOffset() {
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
                    + "', not a Kafka offset: another writer uses this channel name");
        }
    }

    SnowflakeStreamingIngestChannel sdkChannel() {
        return channel;
    }

    KafkaPartition partition() {
        return partition;
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
