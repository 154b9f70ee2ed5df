package capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.debezium.DebeziumConstants;

/**
 * Numbers each streamed change within its source transaction, as Debezium's transaction metadata does:
 * its place among all the transaction's changes ({@code total_order}) and among those of its own table
 * ({@code data_collection_order}). camel-debezium hands the route neither, so they are counted here, on
 * the capture thread, which sees every record in Debezium's order.
 *
 * <p>The number is what makes a change's identity exact. PostgreSQL logs a COPY or a multi-row INSERT as
 * one WAL record for many rows, so their LSNs are equal; within one transaction only the order tells them
 * apart. A transaction Debezium emits again after a restart gets the same numbers as the first time,
 * because Debezium resumes only at a transaction's start (see {@link ResumePosition}) and counting starts
 * over at each transaction marker it emits (BEGIN and END, on the transaction topic): a BEGIN seen again
 * after Debezium restarted inside the engine resets the count just as the first one did.
 *
 * <p>At a transaction's END marker (told from its BEGIN by {@link TransactionMarkerStatus}), a transaction that
 * changed captured tables gets an END record of its own, counted here: Debezium's counts include the heartbeat
 * table's changes, which are not published. The loader holds a transaction's changes back until it has them all.
 */
public final class TransactionOrder implements Processor {

    /** Headers set on each streamed change, for {@link DebeziumJsonEnvelope}. */
    public static final String TRANSACTION_ID = "flightcdc.transactionId";
    public static final String TOTAL_ORDER = "flightcdc.totalOrder";
    public static final String TABLE_ORDER = "flightcdc.dataCollectionOrder";
    /** Set on an END marker of a transaction that changed captured tables: the {@link End} to publish. */
    public static final String END = "flightcdc.transactionEnd";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A transaction's end as published: its id, the commit LSN before it (which orders transactions as they
     * committed), and how many changes it made to each captured table, by Debezium's name for the table.
     */
    public record End(String id, long lastCommitLsn, Map<String, Long> eventCounts, Object tsMs) {

        public long eventCount() {
            return eventCounts.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final String transactionTopic;
    private final Set<String> capturedTopics;
    private Object transactionId;
    private long totalOrder;
    private long lastCommitLsn;
    private final Map<String, Long> tableOrder = new HashMap<>();
    /** The captured tables' counts, by Debezium's name for the table ({@code schema.table}), in first-change order. */
    private final Map<String, Long> captured = new LinkedHashMap<>();

    /**
     * @param transactionTopic where Debezium sends its BEGIN and END markers ({@code <topic prefix>.transaction})
     * @param capturedTopics the topics whose changes are published
     */
    public TransactionOrder(String transactionTopic, Collection<String> capturedTopics) {
        this.transactionTopic = transactionTopic;
        this.capturedTopics = Set.copyOf(capturedTopics);
    }

    @Override
    public void process(Exchange exchange) {
        Message m = exchange.getMessage();
        String topic = m.getHeader(DebeziumConstants.HEADER_IDENTIFIER, String.class);
        if (transactionTopic.equals(topic)) {
            if ("END".equals(m.getHeader(DebeziumConstants.HEADER_OPERATION, String.class)) && !captured.isEmpty()) {
                m.setHeader(END, new End(transactionId.toString(), lastCommitLsn, Map.copyOf(captured),
                        m.getHeader(DebeziumConstants.HEADER_TIMESTAMP)));
            }
            startOver(null);
            return;
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
        long order = tableOrder.merge(topic, 1L, Long::sum);
        if (capturedTopics.contains(topic)) {
            captured.put(source.get("schema") + "." + source.get("table"), order);
        }
        m.setHeader(TRANSACTION_ID, txId.toString());
        m.setHeader(TOTAL_ORDER, totalOrder);
        m.setHeader(TABLE_ORDER, order);
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
            JsonNode first = JSON.readTree(sequence.toString()).path(0);
            return first.isTextual() ? Long.parseLong(first.asText()) : 0;
        } catch (JsonProcessingException | NumberFormatException e) {
            throw new IllegalArgumentException("source.sequence is not [\"LSN\", \"LSN\"]: " + sequence, e);
        }
    }
}
