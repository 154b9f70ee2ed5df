package capture;

import java.util.HashMap;
import java.util.Map;
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
 */
public final class TransactionOrder implements Processor {

    /** Headers set on each streamed change, for {@link DebeziumJsonEnvelope}. */
    public static final String TRANSACTION_ID = "flightcdc.transactionId";
    public static final String TOTAL_ORDER = "flightcdc.totalOrder";
    public static final String TABLE_ORDER = "flightcdc.dataCollectionOrder";

    private final String transactionTopic;
    private Object transactionId;
    private long totalOrder;
    private final Map<String, Long> tableOrder = new HashMap<>();

    /** @param transactionTopic where Debezium sends its BEGIN and END markers ({@code <topic prefix>.transaction}) */
    public TransactionOrder(String transactionTopic) {
        this.transactionTopic = transactionTopic;
    }

    @Override
    public void process(Exchange exchange) {
        Message m = exchange.getMessage();
        String topic = m.getHeader(DebeziumConstants.HEADER_IDENTIFIER, String.class);
        if (transactionTopic.equals(topic)) {
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
        }
        totalOrder++;
        m.setHeader(TRANSACTION_ID, txId.toString());
        m.setHeader(TOTAL_ORDER, totalOrder);
        m.setHeader(TABLE_ORDER, tableOrder.merge(topic, 1L, Long::sum));
    }

    private void startOver(Object txId) {
        transactionId = txId;
        totalOrder = 0;
        tableOrder.clear();
    }
}
