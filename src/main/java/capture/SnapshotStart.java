package capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.debezium.DebeziumConstants;
import warehouse.TableId;

/**
 * Makes a snapshot that Debezium starts over replace the rows an earlier one left in the topics. Debezium stores
 * no position until a snapshot ends, so a run stopped in the middle of one snapshots again from the start on the
 * next: the topics then hold the first, cut-off snapshot and the new one. A row the first read and the source
 * deleted since is in no later change, and would stay in the warehouse for ever.
 *
 * <p>So before the first snapshot row of a run, each captured topic that already holds records gets a truncate
 * of its table, marked as part of the snapshot, as Debezium writes a truncate: the loader empties the table's
 * current state there (see warehouse.ChangeEvent.Operation#SNAPSHOT_START), and the new snapshot's rows follow.
 * Its LSN is one below the snapshot's, so that in the Snowpipe Streaming views too it comes after the earlier
 * rows and before the new ones. A topic with no records yet has nothing to replace and gets none. A topic of
 * several partitions gets the truncate in each: a partition's copy empties the rows of that partition.
 */
public final class SnapshotStart implements Processor {

    /** The truncates to publish before this change, for {@link AcknowledgedKafkaPublisher}. */
    public static final String TRUNCATES = "flightcdc.snapshotTruncates";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A record to publish: its topic and partition, and its value, a Debezium envelope as JSON bytes. */
    public record Truncate(String topic, int partition, byte[] value) {
    }

    private final Map<String, TableId> topicsHoldingRecords;
    private final int partitions;
    private boolean done;

    /**
     * @param topicsHoldingRecords the captured topics that held records when the capture started, and their tables
     * @param partitions the partitions of each topic
     */
    public SnapshotStart(Map<String, TableId> topicsHoldingRecords, int partitions) {
        this.topicsHoldingRecords = new LinkedHashMap<>(topicsHoldingRecords);
        this.partitions = partitions;
    }

    @Override
    public void process(Exchange exchange) {
        if (done) {
            return;
        }
        Message m = exchange.getMessage();
        Map<?, ?> source = m.getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class);
        if (!"r".equals(m.getHeader(DebeziumConstants.HEADER_OPERATION, String.class)) || source == null) {
            // Streaming from a stored position: this run takes no snapshot.
            done = source != null;
            return;
        }
        done = true;
        if (!topicsHoldingRecords.isEmpty()) {
            List<Truncate> truncates = new ArrayList<>();
            topicsHoldingRecords.forEach((topic, table) -> {
                byte[] value = envelope(source, table, m.getHeader(DebeziumConstants.HEADER_TIMESTAMP));
                for (int partition = 0; partition < partitions; partition++) {
                    truncates.add(new Truncate(topic, partition, value));
                }
            });
            m.setHeader(TRUNCATES, truncates);
        }
    }

    private static byte[] envelope(Map<?, ?> snapshotRow, TableId table, Object timestamp) {
        ObjectNode source = JSON.valueToTree(snapshotRow);
        source.put("schema", table.schema());
        source.put("table", table.name());
        source.put("snapshot", "true");
        long lsn = source.path("lsn").asLong();
        source.put("lsn", lsn - 1);
        source.put("sequence", "[null,\"" + (lsn - 1) + "\"]");
        ObjectNode envelope = JSON.createObjectNode();
        envelope.putNull("before");
        envelope.putNull("after");
        envelope.set("source", source);
        envelope.putNull("transaction");
        envelope.put("op", "t");
        envelope.set("ts_ms", JSON.valueToTree(timestamp));
        try {
            return JSON.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
