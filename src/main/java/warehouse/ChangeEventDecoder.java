package warehouse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Reads Debezium's JSON envelope (schemas disabled) from a Kafka record value. */
public final class ChangeEventDecoder {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @return the change, or empty for a tombstone (the null value Debezium sends after a delete
     *     so that log compaction can drop the key)
     * @throws IllegalArgumentException when the value is not a Debezium change event
     */
    public Optional<ChangeEvent> decode(String topic, int partition, long offset, String value) {
        if (value == null) {
            return Optional.empty();
        }
        JsonNode envelope;
        try {
            envelope = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        JsonNode source = envelope.path("source");
        String op = envelope.path("op").asText(null);
        if (op == null || !source.isObject()) {
            throw new IllegalArgumentException("not a Debezium change event (no op or source)");
        }
        ChangeEvent.Operation operation = ChangeEvent.Operation.fromCode(op);
        if (operation == ChangeEvent.Operation.TRUNCATE && partOfSnapshot(source)) {
            operation = ChangeEvent.Operation.SNAPSHOT_START;
        }
        JsonNode row = switch (operation) {
            case TRUNCATE, SNAPSHOT_START -> JSON.createObjectNode();
            case DELETE -> envelope.get("before");
            default -> envelope.get("after");
        };
        if (row == null || !row.isObject()) {
            throw new IllegalArgumentException("op '" + op + "' without its row image");
        }
        TableId table = new TableId(source.path("schema").asText(), source.path("table").asText());
        long lsn = source.path("lsn").asLong();
        JsonNode txId = source.get("txId");
        return Optional.of(new ChangeEvent(topic, partition, offset, table, operation,
                new SourcePosition(lastCommitLsn(source), lsn, tableOrder(envelope)),
                txId == null || txId.isNull() ? null : txId.asLong(),
                source.path("ts_ms").asLong(), row, value));
    }

    /**
     * A record of the transaction topic: a transaction's END marker, or empty for its BEGIN.
     *
     * @throws IllegalArgumentException when the value is not a transaction marker
     */
    public Optional<TransactionEnd> decodeTransactionEnd(String topic, int partition, long offset, String value) {
        JsonNode marker;
        try {
            marker = value == null ? null : JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        String status = marker == null ? null : marker.path("status").asText(null);
        if ("BEGIN".equals(status)) {
            return Optional.empty();
        }
        if (!"END".equals(status) || !marker.path("id").isTextual() || !marker.path("data_collections").isArray()) {
            throw new IllegalArgumentException("not a Debezium transaction marker (no status, id or data_collections)");
        }
        long txId;
        try {
            // Debezium's PostgreSQL connector names a transaction by its xid.
            txId = Long.parseLong(marker.path("id").asText());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("transaction id is not a PostgreSQL xid: " + marker.path("id").asText());
        }
        Map<TableId, Long> counts = new LinkedHashMap<>();
        for (JsonNode collection : marker.path("data_collections")) {
            TableId table = TableId.parse(collection.path("data_collection").asText(""))
                    .orElseThrow(() -> new IllegalArgumentException("data_collection is not schema.table: " + collection));
            JsonNode count = collection.path("event_count");
            if (!count.isIntegralNumber() || count.asLong() < 1) {
                throw new IllegalArgumentException("event_count is not a positive number: " + collection);
            }
            counts.put(table, count.asLong());
        }
        JsonNode lastCommit = marker.path("last_commit_lsn");
        return Optional.of(new TransactionEnd(topic, partition, offset, txId,
                lastCommit.isIntegralNumber() ? lastCommit.asLong() : null, counts));
    }

    /** Debezium's source.snapshot: "false" (or absent) for a streamed change, anything else within a snapshot. */
    private static boolean partOfSnapshot(JsonNode source) {
        String snapshot = source.path("snapshot").asText("false");
        return !snapshot.equals("false") && !snapshot.isEmpty();
    }

    /**
     * The change's number among its table's changes in its transaction ({@code transaction.data_collection_order}),
     * or null when the record carries no transaction metadata.
     */
    private static Long tableOrder(JsonNode envelope) {
        JsonNode order = envelope.path("transaction").path("data_collection_order");
        if (order.isMissingNode() || order.isNull()) {
            return null;
        }
        if (!order.isIntegralNumber() || order.asLong() < 1) {
            throw new IllegalArgumentException("transaction.data_collection_order is not a positive number: " + order);
        }
        return order.asLong();
    }

    /** Debezium's {@code source.sequence} is a JSON array in a string: ["last commit LSN", "LSN"]. */
    private static long lastCommitLsn(JsonNode source) {
        String sequence = source.path("sequence").asText(null);
        if (sequence == null) {
            return 0;
        }
        try {
            JsonNode lastCommit = JSON.readTree(sequence).path(0);
            return lastCommit.isNull() || lastCommit.isMissingNode() ? 0 : Long.parseLong(lastCommit.asText());
        } catch (JsonProcessingException | NumberFormatException e) {
            throw new IllegalArgumentException("source.sequence is not [\"LSN\", \"LSN\"]: " + sequence);
        }
    }
}
