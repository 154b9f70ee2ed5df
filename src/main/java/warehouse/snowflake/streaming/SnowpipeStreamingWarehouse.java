package warehouse.snowflake.streaming;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import net.snowflake.ingest.streaming.InsertValidationResponse;
import net.snowflake.ingest.streaming.InsertValidationResponse.InsertError;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import net.snowflake.ingest.utils.SFException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.DeadLetter;
import warehouse.KafkaPartition;
import warehouse.LoadPlan;
import warehouse.LoadResult;
import warehouse.PartitionProgress;
import warehouse.RefusedValueException;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.Warehouse;

/**
 * Snowflake through Snowpipe Streaming. Every Kafka record becomes one row of its table's change table
 * ({@code <TABLE>_CHANGES}): a change with its operation and positions, or a record set aside with the
 * reason. Snowflake derives the current state and the history from it (see {@code snowflake/}).
 *
 * <p>Exactly once: each Kafka partition writes through a channel of its own whose offset token is the
 * Kafka offset of its last row. A batch returns only once Snowflake has committed it, so the Kafka
 * offsets committed after it never run ahead of Snowflake. If anything fails on the way, the batch
 * fails, and before it is tried again every channel it touched is opened again: that fences off rows
 * still buffered in the old channel, and the committed token says where to resume, so nothing lands
 * twice and nothing is skipped. At startup the channels of the existing partitions are opened the same
 * way and their tokens tell the consumer group where to resume.
 *
 * <p>Whole transactions: each channel commits on its own, so once all of a batch's are committed the
 * writer appends the {@link LoadWatermark}, up to which the history and current state show the changes.
 */
public final class SnowpipeStreamingWarehouse implements Warehouse {

    private static final Logger LOG = LoggerFactory.getLogger(SnowpipeStreamingWarehouse.class);
    private static final long COMMIT_POLL_MS = 100;

    private final SnowflakeStreamingIngestClient client;
    private final String database;
    private final String schema;
    private final String channelPrefix;
    private final Function<TableId, String> topicFor;
    private final Duration commitTimeout;
    private final Map<String, TableSchema> tablesByTopic = new HashMap<>();
    /** How each table's rows are made, per topic; made anew when the table gains a column. */
    private final Map<String, ChangeRows> rowsByTopic = new HashMap<>();
    private final Map<KafkaPartition, StreamingChannel> channels = new HashMap<>();
    private final LoadWatermark watermark;
    /** Channels a failed batch touched: opened again before anything else is written through them. */
    private final Set<KafkaPartition> toReopen = new HashSet<>();
    /** How far each partition is loaded, as Snowflake committed it. */
    private final Map<KafkaPartition, PartitionProgress> loaded = new HashMap<>();

    /**
     * @param channelPrefix names this pipeline's channels (the loader's consumer group): two pipelines
     *        loading the same table must not share a channel
     */
    public SnowpipeStreamingWarehouse(SnowflakeStreamingIngestClient client, String database, String schema,
                                      String channelPrefix, Function<TableId, String> topicFor, Duration commitTimeout) {
        this.client = client;
        this.database = database;
        this.schema = schema;
        this.channelPrefix = channelPrefix;
        this.topicFor = topicFor;
        this.commitTimeout = commitTimeout;
        this.watermark = new LoadWatermark(client, database, schema, channelPrefix);
    }

    /** The change table of a source table, as {@code snowflake/} creates it. */
    public static String changeTable(TableId table) {
        return (table.name() + "_changes").toUpperCase(Locale.ROOT);
    }

    /** Remembers the tables; their change tables are created by {@code migrate}, not by the loader. */
    @Override
    public synchronized void prepare(List<TableSchema> tables) {
        for (TableSchema t : tables) {
            String topic = topicFor.apply(t.id());
            tablesByTopic.put(topic, t);
            // Called again when the source gained a column: rows are made with the columns now.
            rowsByTopic.remove(topic);
        }
        LOG.info("Snowpipe Streaming into {}.{}: {}", database, schema,
                tables.stream().map(t -> changeTable(t.id())).toList());
    }

    /** Opens the channels of these partitions, so that {@link #progress} tells where each resumes. */
    public synchronized void resume(Set<KafkaPartition> partitions) {
        partitions.stream().filter(this::hasChangeTable).forEach(this::channel);
    }

    @Override
    public synchronized Map<KafkaPartition, PartitionProgress> progress() {
        return Map.copyOf(loaded);
    }

    @Override
    public synchronized LoadResult load(ChangeBatch batch) throws Exception {
        long started = System.nanoTime();
        Set<KafkaPartition> touched = partitionsOf(batch);
        touched.forEach(this::channel);
        Set<TableId> known = new HashSet<>();
        tablesByTopic.values().forEach(t -> known.add(t.id()));
        LoadPlan plan = LoadPlan.of(batch, loaded, known::contains);
        List<DeadLetter> refused = new ArrayList<>();
        Map<KafkaPartition, List<Pending>> rows = rowsByPartition(plan, refused);
        try {
            Map<StreamingChannel, Long> written = new LinkedHashMap<>();
            for (Map.Entry<KafkaPartition, List<Pending>> entry : rows.entrySet()) {
                StreamingChannel channel = channels.get(entry.getKey());
                long last = write(channel, entry.getValue(), refused);
                written.put(channel, last);
            }
            awaitCommitted(written);
            // Only now that every table's rows are committed may the history and current state show them.
            OptionalLong loadedThrough = LoadWatermark.of(batch);
            if (loadedThrough.isPresent()) {
                awaitCommitted(Map.of(watermark.channel(), watermark.write(loadedThrough.getAsLong(), Instant.now())));
            }
        } catch (Exception e) {
            toReopen.addAll(touched);
            watermark.reopen();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Snowpipe Streaming did not take the batch of " + batch.size() + " records ("
                    + e.getMessage() + "); its channels are opened again and it is sent again from what Snowflake"
                    + " committed", e);
        }
        plan.progress().forEach((partition, progress) -> {
            if (hasChangeTable(partition)) {
                loaded.put(partition, progress);
            }
        });
        List<DeadLetter> deadLetters = new ArrayList<>(plan.deadLetters());
        deadLetters.addAll(refused);
        deadLetters.stream().filter(d -> hasChangeTable(d.topic())).forEach(d -> LOG.warn(
                "Kafka record {}/{}@{} set aside in {}: {}", d.topic(), d.partition(), d.offset(),
                changeTable(tablesByTopic.get(d.topic()).id()), d.reason()));
        Set<KafkaRecord> setAside = new HashSet<>();
        refused.forEach(d -> setAside.add(new KafkaRecord(d.topic(), d.partition(), d.offset())));
        List<ChangeEvent> applied = plan.changes().stream()
                .filter(c -> !setAside.contains(new KafkaRecord(c.topic(), c.partition(), c.offset())))
                .toList();
        return LoadResult.of(batch, plan, applied, deadLetters, started);
    }

    /**
     * Writes one partition's rows in one call. Snowflake refuses a call whole if any row does not fit
     * (SKIP_BATCH) and names the rows: those become set-aside rows and the call is made again, so the
     * channel's token never covers a row that is not there.
     *
     * @return the Kafka offset of the last row
     */
    private long write(StreamingChannel channel, List<Pending> pending, List<DeadLetter> refused) {
        long last = pending.get(pending.size() - 1).offset();
        List<Map<String, Object>> rows = pending.stream().map(Pending::row).toList();
        InsertValidationResponse response = channel.insert(rows, last);
        if (!response.hasErrors()) {
            return last;
        }
        List<Map<String, Object>> retry = new ArrayList<>(rows);
        Instant now = Instant.now();
        for (InsertError error : response.getInsertErrors()) {
            Pending p = pending.get((int) error.getRowIndex());
            if (p.change() == null) {
                throw new IllegalStateException("Snowflake refused the set-aside record at offset " + p.offset()
                        + " of channel " + channel.name() + ": " + reason(error));
            }
            DeadLetter d = DeadLetter.of(p.change(), DeadLetter.Cause.REFUSED_BY_WAREHOUSE, "Snowflake refused the row: " + reason(error));
            retry.set((int) error.getRowIndex(), p.rows().rejected(d, now));
            refused.add(d);
        }
        InsertValidationResponse again = channel.insert(retry, last);
        if (again.hasErrors()) {
            throw new IllegalStateException("Snowflake refused even the set-aside rows of channel " + channel.name() + ": "
                    + reason(again.getInsertErrors().get(0)));
        }
        return last;
    }

    static String reason(InsertError error) {
        SFException e = error.getException();
        String message = e != null && e.getMessage() != null ? e.getMessage() : error.getMessage();
        return message == null ? "no reason given" : message.strip();
    }

    /** Asks the client to flush now, then waits until every channel's committed token covers its rows. */
    private void awaitCommitted(Map<StreamingChannel, Long> written) throws Exception {
        if (written.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + commitTimeout.toNanos();
        client.flush().get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<StreamingChannel, Long> waiting = new LinkedHashMap<>(written);
        while (true) {
            List<SnowflakeStreamingIngestChannel> sdkChannels = waiting.keySet().stream().map(StreamingChannel::sdkChannel).toList();
            Map<String, String> tokens = client.getLatestCommittedOffsetTokens(sdkChannels);
            waiting.entrySet().removeIf(e -> e.getKey().parse(tokens.get(e.getKey().sdkChannel().getFullyQualifiedName()))
                    >= e.getValue());
            if (waiting.isEmpty()) {
                return;
            }
            for (StreamingChannel channel : waiting.keySet()) {
                if (!channel.isOpen()) {
                    throw new IllegalStateException("channel " + channel.name() + " was invalidated before Snowflake"
                            + " committed its rows");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Snowflake had not committed the rows of " + waiting.keySet().stream()
                        .map(StreamingChannel::name).toList() + " after " + commitTimeout.toMillis() + " ms");
            }
            Thread.sleep(COMMIT_POLL_MS);
        }
    }

    /** The channel of a partition, opened (again) if it is not yet or a failed batch touched it. */
    private StreamingChannel channel(KafkaPartition partition) {
        StreamingChannel channel = channels.get(partition);
        boolean reopening = channel != null && (toReopen.contains(partition) || !channel.isOpen());
        if (channel != null && !reopening) {
            return channel;
        }
        TableSchema table = tablesByTopic.get(partition.topic());
        if (table == null) {
            throw new IllegalStateException("Kafka topic " + partition.topic() + " is not the topic of a captured table");
        }
        if (channel == null) {
            channel = new StreamingChannel(client, database, schema, changeTable(table.id()),
                    channelPrefix + "_" + partition.topic() + "_" + partition.partition());
            channels.put(partition, channel);
        }
        long next = channel.open();
        toReopen.remove(partition);
        PartitionProgress before = loaded.getOrDefault(partition, PartitionProgress.NONE);
        // The newest source position is known only while it is that of the last committed row.
        loaded.put(partition, before.nextOffset() == next ? before : PartitionProgress.newestUnknown(next));
        if (reopening) {
            LOG.warn("Snowpipe Streaming channel {} opened again: Snowflake committed it up to offset {}, it resumes from"
                    + " there", channel.name(), next - 1);
        } else {
            LOG.info("Snowpipe Streaming channel {} open on {}: {}", channel.name(), channel.table(),
                    next == 0 ? "nothing committed yet" : "committed up to offset " + (next - 1));
        }
        return channel;
    }

    /**
     * The partitions whose channels the batch writes or moves. The transaction topic's records load nothing
     * (their ends come apart in the batch) and it has no change table: its offsets are Kafka's alone.
     */
    private Set<KafkaPartition> partitionsOf(ChangeBatch batch) {
        Set<KafkaPartition> partitions = new TreeSet<>(Comparator.comparing(KafkaPartition::topic)
                .thenComparingInt(KafkaPartition::partition));
        batch.changes().forEach(c -> partitions.add(new KafkaPartition(c.topic(), c.partition())));
        batch.unreadable().forEach(d -> partitions.add(new KafkaPartition(d.topic(), d.partition())));
        partitions.addAll(batch.nextOffsets().keySet());
        partitions.removeIf(p -> !hasChangeTable(p));
        return partitions;
    }

    private boolean hasChangeTable(KafkaPartition partition) {
        return hasChangeTable(partition.topic());
    }

    private boolean hasChangeTable(String topic) {
        return tablesByTopic.containsKey(topic);
    }

    /**
     * The rows each partition's channel writes, in Kafka order: changes to apply and records set aside,
     * among them the changes with a value no warehouse takes exactly, which join {@code refused}.
     */
    private Map<KafkaPartition, List<Pending>> rowsByPartition(LoadPlan plan, List<DeadLetter> refused) {
        Instant now = Instant.now();
        Map<KafkaPartition, List<Pending>> rows = new LinkedHashMap<>();
        for (ChangeEvent c : plan.changes()) {
            if (c.truncateCopy()) {
                // The views apply a TRUNCATE by its position: the change table keeps partition 0's copy alone, so that
                // the history shows it once.
                continue;
            }
            ChangeRows table = rowsOf(c.topic());
            Map<String, Object> row;
            try {
                row = table.change(c, now);
            } catch (RefusedValueException e) {
                DeadLetter d = DeadLetter.of(c, DeadLetter.Cause.REFUSED_VALUE, e.getMessage());
                refused.add(d);
                rows.computeIfAbsent(new KafkaPartition(c.topic(), c.partition()), p -> new ArrayList<>())
                        .add(new Pending(c.offset(), table.rejected(d, now), null, table));
                continue;
            }
            rows.computeIfAbsent(new KafkaPartition(c.topic(), c.partition()), p -> new ArrayList<>())
                    .add(new Pending(c.offset(), row, c, table));
        }
        for (DeadLetter d : plan.deadLetters()) {
            if (!hasChangeTable(d.topic())) {
                LOG.warn("Kafka record {}/{}@{} is not a transaction marker, and has no table to be set aside in: {}",
                        d.topic(), d.partition(), d.offset(), d.reason());
                continue;
            }
            ChangeRows table = rowsOf(d.topic());
            rows.computeIfAbsent(new KafkaPartition(d.topic(), d.partition()), p -> new ArrayList<>())
                    .add(new Pending(d.offset(), table.rejected(d, now), null, table));
        }
        rows.values().forEach(list -> list.sort(Comparator.comparingLong(Pending::offset)));
        return rows;
    }

    private ChangeRows rowsOf(String topic) {
        return rowsByTopic.computeIfAbsent(topic, t -> new ChangeRows(tablesByTopic.get(t)));
    }

    private record KafkaRecord(String topic, int partition, long offset) {
    }

    /** A row on its way to a channel, with the change it came from (null for a record set aside already). */
    private record Pending(long offset, Map<String, Object> row, ChangeEvent change, ChangeRows rows) {
    }

    @Override
    public synchronized void close() throws Exception {
        List<StreamingChannel> all = new ArrayList<>(channels.values());
        all.add(watermark.channel());
        for (StreamingChannel channel : all) {
            try {
                channel.close();
            } catch (RuntimeException e) {
                LOG.warn("Could not close channel {} cleanly: {}", channel.name(), e.getMessage());
            }
        }
        client.close();
        LOG.info("Snowpipe Streaming client closed");
    }
}
