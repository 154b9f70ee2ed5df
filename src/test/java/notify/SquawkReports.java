package notify;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import opensky.LogLines;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** What the tests of the sample route routes/emergency-squawks.yaml share. */
public final class SquawkReports {

    public static final String ROUTE_ID = "emergency-squawks";

    private SquawkReports() {
    }

    /**
     * Waits until the route's consumer group has committed a position. The group starts at the end of the
     * topic, so only a record published after that is sure to be read.
     */
    public static void awaitReading(String bootstrapServers, String group) {
        try (Admin kafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    !kafka.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().isEmpty());
        }
    }

    /** The messages the route logged at {@code level}, in order. */
    public static List<String> logged(LogLines log, String level) {
        String prefix = level + " " + ROUTE_ID + ": ";
        return log.all().stream().filter(line -> line.startsWith(prefix)).map(line -> line.substring(prefix.length()))
                .toList();
    }
}
