package capture;

import java.util.Collection;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.component.debezium.DebeziumConstants;

/**
 * Tells the row changes of the captured tables from the other records Debezium hands the capture
 * route: its heartbeats ({@code __debezium-heartbeat.<prefix>}) and the changes of the heartbeat
 * table (see source.Heartbeat). Those only move the replication slot forward; published, they
 * would be bogus change events. A record counts as a change when it goes to a captured table's topic. The END
 * of a transaction that changed captured tables is published too (see {@link TransactionOrder}).
 */
public final class CapturedChanges implements Predicate {

    private final Set<String> topics;

    public CapturedChanges(Collection<String> capturedTopics) {
        this.topics = Set.copyOf(capturedTopics);
    }

    @Override
    public boolean matches(Exchange exchange) {
        return topics.contains(exchange.getMessage().getHeader(DebeziumConstants.HEADER_IDENTIFIER, String.class))
                || exchange.getMessage().getHeader(TransactionOrder.END) != null;
    }
}
