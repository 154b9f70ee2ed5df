package capture;

import io.debezium.schema.SchemaTopicNamingStrategy;
import io.debezium.spi.schema.DataCollectionId;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Debezium's own topic names (prefix.schema.table, sanitized), each kept once made in a map read without a lock. Debezium
 * asks for the topic of every change on its decoding thread, the capture's narrowest point, and keeps the names in a
 * bounded LRU map that locks a segment and records the access on every hit: 5% of that thread's samples in a profile
 * of the bench (docs/performance.md). Set through camel-debezium's {@code topicNamingStrategy} (routes/CaptureRoute).
 */
public final class CachedTopicNames extends SchemaTopicNamingStrategy {

    /** Debezium's default {@code topic.cache.size}: past this many tables, the rest are left to Debezium's own map. */
    static final int MAX_KEPT = 10_000;

    private final Map<DataCollectionId, String> names = new ConcurrentHashMap<>();

    /** Called by Debezium with the connector's properties, as for its own strategies. */
    public CachedTopicNames(Properties props) {
        super(props);
    }

    @Override
    public String dataChangeTopic(DataCollectionId id) {
        String name = names.get(id);
        if (name == null) {
            name = super.dataChangeTopic(id);
            if (names.size() < MAX_KEPT) {
                names.put(id, name);
            }
        }
        return name;
    }
}
