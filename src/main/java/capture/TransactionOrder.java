package capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.connect.data.Struct;

/**
 * Places each change of a captured table in its Kafka partition ({@link KeyPartitioner}: by its key, which it renders
 * as Debezium's key JSON; a TRUNCATE, which has no key, in every partition) and numbers each streamed change within
 * its source transaction, as Debezium's transaction metadata does: its place among all the transaction's changes
 * ({@code total_order}) and among those of its own table in its partition ({@code data_collection_order}; with one
 * partition, Debezium's number exactly). camel-debezium hands the route neither, so they are counted here, on the
 * capture thread, which sees every record in Debezium's order.
 *
 * <p>The number is what makes a change's identity exact. PostgreSQL logs a COPY or a multi-row INSERT as
 * one WAL record for many rows, so their LSNs are equal; within one transaction only the order tells them
 * apart. A transaction Debezium emits again after a restart gets the same numbers as the first time,
 * because Debezium resumes only at a transaction's start (see {@link ResumePosition}), counting starts
 * over at each transaction marker it emits (BEGIN and END, on the transaction topic), and a key's partition does not
 * change: a BEGIN seen again after Debezium restarted inside the engine resets the count just as the first one did.
 * Numbered per partition, a transaction's changes in each partition run 1, 2, 3... in the order that partition keeps,
 * so each partition is loaded and checked on its own (the loader's partitions may be loaded by different threads).
 *
 * <p>At a transaction's END marker (told from its BEGIN by {@link TransactionMarkerStatus}), a transaction that
 * changed captured tables gets an END record for each partition it touched, with the counts of its changes there;
 * it goes to the same partition of the transaction topic. Debezium's counts include the heartbeat table's changes,
 * which are not published. The loader holds a transaction's changes back until it has them all.
 */
public final class TransactionOrder implements Processor {

    /** Headers set on each streamed change, for {@link DebeziumJsonEnvelope}. */
    public static final String TRANSACTION_ID = "flightcdc.transactionId";
    public static final String TOTAL_ORDER = "flightcdc.totalOrder";
    public static final String TABLE_ORDER = "flightcdc.dataCollectionOrder";
    /**
     * Set on a TRUNCATE of a captured table: its number in each partition (by index), where a copy of it goes. Its
     * {@link #TABLE_ORDER} is partition 0's.
     */
    public static final String TRUNCATE_ORDERS = "flightcdc.truncateOrders";
    /** Set on an END marker of a transaction that changed captured tables: the {@link End}s to publish, by partition. */
    public static final String END = "flightcdc.transactionEnd";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A transaction's end in one partition, as published: its id, the commit LSN before it (which orders transactions
     * as they committed), and how many changes it made to each captured table in that partition, by Debezium's name
     * for the table.
     */
    public record End(String id, long lastCommitLsn, Map<String, Long> eventCounts, Object tsMs, int partition) {

        public long eventCount() {
            return eventCounts.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** A table's changes in one partition. */
    private record TablePart(String topic, int partition) {
    }

    private final String transactionTopic;
    private final Set<String> capturedTopics;
    private final KeyPartitioner partitioner;
    private Object transactionId;
    private long totalOrder;
    private long lastCommitLsn;
    private final Map<TablePart, Long> tableOrder = new HashMap<>();
    /** Per partition, the captured tables' counts, by Debezium's name for the table, in first-change order. */
    private final Map<Integer, Map<String, Long>> captured = new TreeMap<>();

    /**
     * @param transactionTopic where Debezium sends its BEGIN and END markers ({@code <topic prefix>.transaction})
     * @param capturedTopics the topics whose changes are published
     * @param partitioner the partition of each change, by its key
     */
    public TransactionOrder(String transactionTopic, Collection<String> capturedTopics, KeyPartitioner partitioner) {
        this.transactionTopic = transactionTopic;
        this.capturedTopics = Set.copyOf(capturedTopics);
        this.partitioner = partitioner;
    }

    @Override
    public void process(Exchange exchange) throws IOException {
        Message m = exchange.getMessage();
        String topic = m.getHeader(DebeziumConstants.HEADER_IDENTIFIER, String.class);
        if (transactionTopic.equals(topic)) {
            if ("END".equals(m.getHeader(DebeziumConstants.HEADER_OPERATION, String.class)) && !captured.isEmpty()) {
                Object tsMs = m.getHeader(DebeziumConstants.HEADER_TIMESTAMP);
                List<End> ends = new ArrayList<>(captured.size());
                captured.forEach((partition, counts) ->
                        ends.add(new End(transactionId.toString(), lastCommitLsn, Map.copyOf(counts), tsMs, partition)));
                m.setHeader(END, ends);
            }
            startOver(null);
            return;
        }
        boolean published = capturedTopics.contains(topic);
        int partition = 0;
        if (published) {
            // Snapshot reads and tombstones too: a key's records all go to one partition.
            byte[] key = ConnectJson.bytes(m.getHeader(DebeziumConstants.HEADER_KEY, Struct.class));
            partition = partitioner.partitionOf(key);
            m.setHeader(KafkaConstants.KEY, key);
            m.setHeader(KafkaConstants.PARTITION_KEY, partition);
        }
        String op = m.getHeader(DebeziumConstants.HEADER_OPERATION, String.class);
        Map<?, ?> source = m.getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class);
        // Tombstones and heartbeats carry no operation; snapshot reads are not part of a streamed transaction.
        if (op == null || "r".equals(op) || source == null || source.get("txId") == null) {
            return;
        }
        Object txId = source.get("txId");
        if (!txId.equals(transactionId)) {
            startOver(txId);
            lastCommitLsn = lastCommitLsn(source.get("sequence"));
        }
        totalOrder++;
        String table = published ? source.get("schema") + "." + source.get("table") : null;
        long order;
        if (published && "t".equals(op)) {
            // A TRUNCATE has no key and concerns the rows of every partition: each gets a copy, numbered there.
            long[] orders = new long[partitioner.partitions()];
            for (int p = 0; p < orders.length; p++) {
                orders[p] = number(topic, p, table);
            }
            m.setHeader(TRUNCATE_ORDERS, orders);
            order = orders[0];
        } else {
            order = number(topic, partition, table);
        }
        m.setHeader(TRANSACTION_ID, txId.toString());
        m.setHeader(TOTAL_ORDER, totalOrder);
        m.setHeader(TABLE_ORDER, order);
    }
    /** The next number of a table's changes in a partition; {@code table} null for one that is not published. */
    private long number(String topic, int partition, String table) {
        long order = tableOrder.merge(new TablePart(topic, partition), 1L, Long::sum);
        if (table != null) {
            captured.computeIfAbsent(partition, p -> new LinkedHashMap<>()).put(table, order);
        }
        return order;
    }

    private void startOver(Object txId) {
        transactionId = txId;
        totalOrder = 0;
        lastCommitLsn = 0;
        tableOrder.clear();
        captured.clear();
    }

    /** Debezium's {@code source.sequence}, {@code ["last commit LSN", "LSN"]}: its first element, 0 when none. */
    private static long lastCommitLsn(Object sequence) {
        if (sequence == null) {
            return 0;
        }
        try {
            // As bytes, as the loader reads: one of Jackson's parsers in the JVM, not two, for the JIT to compile.
            JsonNode first = JSON.readTree(sequence.toString().getBytes(StandardCharsets.UTF_8)).path(0);
            return first.isTextual() ? Long.parseLong(first.asText()) : 0;
        } catch (JsonProcessingException | NumberFormatException e) {
            throw new IllegalArgumentException("source.sequence is not [\"LSN\", \"LSN\"]: " + sequence, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
