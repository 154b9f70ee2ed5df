package capture;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Where Debezium's position in the WAL is kept between runs: read when the capture starts, written whole on each
 * flush (see AcknowledgedOffsetStore). Keys and values are Debezium's, as Kafka Connect serialises them.
 */
public interface PositionStorage {

    /** The stored positions; empty before the first is stored. */
    Map<ByteBuffer, ByteBuffer> read();

    /** Replaces the stored positions with {@code positions}, all or nothing. */
    void write(Map<ByteBuffer, ByteBuffer> positions);

    /** Where it is, for messages: a file's path, a table's name. */
    String describe();
}
