package capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A position stored for Debezium before it first runs, so that it streams from a commit LSN the pipeline chose
 * rather than snapshotting: where a direct snapshot (snapshot/DirectSnapshot) read the tables. It is the position
 * {@link ResumePosition} stores after any commit: the LSN as the last commit, without a change LSN, so Debezium
 * streams every transaction that commits after it, each whole, and searches for nothing.
 */
public final class StartPosition {

    /** The name of the capture's Debezium engine (routes/CaptureRoute's endpoint): the first part of its position's key. */
    public static final String ENGINE = "flight-cdc";

    private static final ObjectMapper JSON = new ObjectMapper();

    private StartPosition() {
    }

    /**
     * Stores in {@code storage} the position from which Debezium streams the changes committed after {@code lsn}.
     *
     * @param topicPrefix Debezium's topic.prefix, the second part of the key
     */
    public static void store(PositionStorage storage, String topicPrefix, long lsn) {
        Map<String, Object> position = new LinkedHashMap<>();
        position.put(ResumePosition.LAST_COMMIT_LSN, lsn);
        position.put(ResumePosition.LSN, lsn);
        position.put("ts_usec", System.currentTimeMillis() * 1000);
        storage.write(Map.of(bytes(List.of(ENGINE, Map.of("server", topicPrefix))), bytes(position)));
    }

    private static ByteBuffer bytes(Object json) {
        try {
            return ByteBuffer.wrap(JSON.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
