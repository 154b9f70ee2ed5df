package capture;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Field names as Jackson writes them, quoted and encoded once: the envelope writes every column's name for each change,
 * and encoding a name took about as long as writing its value (a row of 19 numbers: 1.7 µs with names as strings,
 * 0.8 µs with them encoded). Column names are few; past {@link #MAX} distinct ones (a source that keeps renaming
 * columns) the rest are encoded each time, as before.
 */
final class JsonNames {

    static final int MAX = 65_536;

    private static final ConcurrentHashMap<String, SerializableString> ENCODED = new ConcurrentHashMap<>();

    private JsonNames() {
    }

    static SerializableString of(String name) {
        SerializableString encoded = ENCODED.get(name);
        if (encoded == null) {
            encoded = new SerializedString(name);
            if (ENCODED.size() < MAX) {
                ENCODED.putIfAbsent(name, encoded);
            }
        }
        return encoded;
    }
}
