package capture;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * The position in a local file, in the format of Kafka's FileOffsetBackingStore (a serialized map of byte arrays),
 * so that files written by either read back. Unlike Kafka's store, a crash cannot cut it short: Kafka's rewrites
 * the file in place, and a file cut short reads as no position at all, after which Debezium would snapshot every
 * table again. The positions are written to a file alongside, forced to disk, and renamed over the old one.
 */
public final class PositionFile implements PositionStorage {

    private final Path file;

    public PositionFile(Path file) {
        this.file = file;
    }

    @Override
    public Map<ByteBuffer, ByteBuffer> read() {
        Map<ByteBuffer, ByteBuffer> positions = new HashMap<>();
        if (!Files.exists(file)) {
            return positions;
        }
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file))) {
            ((Map<?, ?>) in.readObject()).forEach((key, value) -> positions.put(
                    key == null ? null : ByteBuffer.wrap((byte[]) key), value == null ? null : ByteBuffer.wrap((byte[]) value)));
            return positions;
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new IllegalStateException("Cannot read the capture position in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(Map<ByteBuffer, ByteBuffer> positions) {
        Path written = file.resolveSibling(file.getFileName() + ".tmp");
        Map<byte[], byte[]> raw = new HashMap<>();
        positions.forEach((key, value) -> raw.put(key == null ? null : bytes(key), value == null ? null : bytes(value)));
        try (FileChannel channel = FileChannel.open(written, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ObjectOutputStream out = new ObjectOutputStream(Channels.newOutputStream(channel));
            out.writeObject(raw);
            out.flush();
            channel.force(true);
        } catch (IOException e) {
            throw new ConnectException("Could not write the capture position to " + written, e);
        }
        try {
            Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ConnectException("Could not replace " + file + " with the new capture position", e);
        }
    }

    @Override
    public String describe() {
        return file.toString();
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
