package warehouse.snowflake.streaming;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import net.snowflake.ingest.streaming.InsertValidationResponse;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.ChangeLogSqlGenerator;
import warehouse.MetadataColumn;

/**
 * The load watermark's channel into {@code _FLIGHTCDC_LOADED_THROUGH}: each partition's channel commits on
 * its own, so a source transaction that wrote two tables may be committed in one change table before the
 * other. Once every channel has committed a load, the writer appends here the highest last commit LSN the
 * load carried, and the history and current state show only the changes it covers (see
 * {@link ChangeLogSqlGenerator}): a transaction shows in every table at once.
 *
 * <p>The channel's token numbers its rows, so it grows with every load even when a watermark does not. It
 * is opened at the first load, and again after a failure, resuming right after the committed token;
 * opening it again also fences off a row still buffered by a load that failed.
 */
final class LoadWatermark {

    static final String TABLE = ChangeLogSqlGenerator.LOADED_THROUGH_TABLE.toUpperCase(Locale.ROOT);
    private static final String LAST_COMMIT_LSN = ChangeRows.name(MetadataColumn.LAST_COMMIT_LSN);

    private final StreamingChannel channel;
    /** The token of the next row; -1 until the channel is open. */
    private long next = -1;

    /** @param channelPrefix names this pipeline's channels: each pipeline keeps its own count of rows */
    LoadWatermark(SnowflakeStreamingIngestClient client, String database, String schema, String channelPrefix) {
        this.channel = new StreamingChannel(client, database, schema, TABLE, channelPrefix + "_LOADED_THROUGH");
    }

    /**
     * The highest last commit LSN among the batch's streamed changes, empty if it has none (snapshot reads
     * show without a watermark). Changes Snowflake had committed before, and skipped this time, count too:
     * when a load fails after its rows were committed, the watermark is written when the batch comes again.
     */
    static OptionalLong of(ChangeBatch batch) {
        return batch.changes().stream().filter(ChangeEvent::streamed).mapToLong(c -> c.position().lastCommitLsn()).max();
    }

    /** Buffers the load's row; returns the token that covers it once Snowflake committed it. */
    long write(long lastCommitLsn, Instant loadedAt) {
        if (next < 0 || !channel.isOpen()) {
            next = channel.open();
        }
        Map<String, Object> row = ChangeRows.loaded(loadedAt);
        row.put(LAST_COMMIT_LSN, lastCommitLsn);
        InsertValidationResponse response = channel.insert(List.of(row), next);
        if (response.hasErrors()) {
            throw new IllegalStateException("Snowflake refused the load watermark row of channel " + channel.name() + ": "
                    + SnowpipeStreamingWarehouse.reason(response.getInsertErrors().get(0)));
        }
        return next++;
    }

    /** A load failed: the channel is opened again before the next row, from what Snowflake committed. */
    void reopen() {
        next = -1;
    }

    StreamingChannel channel() {
        return channel;
    }

    void close() {
        channel.close();
    }
}
