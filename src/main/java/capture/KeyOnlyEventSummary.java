package capture;

import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.meters.CommonEventMeter;
import io.debezium.pipeline.metrics.PipelineMetrics;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.pipeline.txmetadata.TransactionInfo;
import io.debezium.spi.schema.DataCollectionId;
import java.lang.reflect.Field;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's event metadata, but for the summary of each event that its metrics keep as "last event" (JMX's
 * {@code LastEvent}): Debezium's own, but for the key, which is printed as Kafka Connect prints a Struct.
 *
 * <p>Debezium 3.4 makes that summary for every change and snapshot row ({@code CommonEventMeter.onEvent} →
 * {@code EventMetadataProvider.toSummaryString}), formatting the key through {@code SchemaUtil.asDetailedString}, which
 * builds a new Jackson ObjectMapper each time: 13% of the samples of the one thread that decodes the WAL, and 11% of all
 * that the pipeline allocated (async-profiler, a warm bench run). No option turns it off, and the task makes the
 * provider and the metrics inline ({@code PostgresConnectorTask.start}), so once they exist the provider inside each
 * meter is wrapped, by reflection on those three fields. Should a later Debezium move them, nothing is wrapped,
 * Debezium's own summary stays, and one line says so; LeanPostgresConnectorTest fails on such an upgrade.
 */
record KeyOnlyEventSummary(EventMetadataProvider debeziums) implements EventMetadataProvider {

    private static final Logger LOG = LoggerFactory.getLogger(KeyOnlyEventSummary.class);

    /**
     * Wraps the provider of the coordinator's snapshot and streaming meters; returns how many it wrapped (0: Debezium's
     * fields moved). The meters exist once {@code start} returned, before the first change is dispatched.
     */
    static int applyTo(ChangeEventSourceCoordinator<?, ?> coordinator) {
        try {
            int wrapped = 0;
            for (String metrics : new String[] {"snapshotMetrics", "streamingMetrics"}) {
                if (field(ChangeEventSourceCoordinator.class, metrics).get(coordinator) instanceof PipelineMetrics<?> pipeline) {
                    wrapped += wrap((CommonEventMeter) field(PipelineMetrics.class, "commonEventMeter").get(pipeline)) ? 1 : 0;
                }
            }
            return wrapped;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("Debezium's per-event summary is kept (its metrics are not where Debezium 3.4 has them: {}); it costs"
                    + " the capture a Jackson ObjectMapper per change", e.toString());
            return 0;
        }
    }

    /** Wraps the meter's provider, unless it is wrapped already; returns whether it wrapped it. */
    static boolean wrap(CommonEventMeter meter) throws ReflectiveOperationException {
        Field provider = field(CommonEventMeter.class, "metadataProvider");
        EventMetadataProvider current = (EventMetadataProvider) provider.get(meter);
        if (current instanceof KeyOnlyEventSummary) {
            return false;
        }
        provider.set(meter, new KeyOnlyEventSummary(current));
        return true;
    }

    private static Field field(Class<?> owner, String name) throws NoSuchFieldException {
        Field field = owner.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    @Override
    public String toSummaryString(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
        return "position: " + debeziums.getEventSourcePosition(source, offset, key, value) + ", key: " + key;
    }

    @Override
    public Instant getEventTimestamp(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
        return debeziums.getEventTimestamp(source, offset, key, value);
    }

    @Override
    public Map<String, String> getEventSourcePosition(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
        return debeziums.getEventSourcePosition(source, offset, key, value);
    }

    @Override
    public String getTransactionId(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
        return debeziums.getTransactionId(source, offset, key, value);
    }

    @Override
    public TransactionInfo getTransactionInfo(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
        return debeziums.getTransactionInfo(source, offset, key, value);
    }
}
