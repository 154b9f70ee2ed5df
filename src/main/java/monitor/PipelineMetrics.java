package monitor;

import capture.TransactionOrder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.kafka.common.TopicPartition;
import source.PollResult;
import warehouse.ChangeEvent;
import warehouse.DeadLetter;
import warehouse.LoadResult;

/**
 * The pipeline's own meters, one place for their names and what they mean (README, "Watch it"): what each
 * stage did, counted as it happens, and the gauges the monitors measure. Prometheus scrapes them at
 * /observe/metrics, with Micrometer's naming: {@code flightcdc.loaded.changes} is
 * {@code flightcdc_loaded_changes_total} there.
 */
public final class PipelineMetrics {

    /**
     * What a latency of a change may be, from a local poll to a warehouse on another continent. Buckets only:
     * Prometheus computes percentiles from them (histogram_quantile), the dashboard too, per interval.
     */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(5)};
    private static final String PUBLISHED = "flightcdc.published.changes";
    private static final double[] BATCH_BUCKETS = {1, 10, 100, 1_000, 5_000, 10_000, 50_000, 100_000};
    private static final String POLL_ROWS = "Rows a poll wrote to the source table";
    private static final String SKIPPED_ALREADY_LOADED = "already_loaded";
    private static final String SKIPPED_REPLAYED = "replayed_by_capture";
    private static final String SKIPPED_UNEXPLAINED = "before_newest_applied";

    private final MeterRegistry registry;
    private final Timer commitToVisible;
    private final DistributionSummary batchSize;
    private final Timer warehouseWrite;
    private final MultiGauge consumerLag;
    private final Map<String, Counter> captured = new ConcurrentHashMap<>();
    /** By topic: Kafka acknowledges each record the capture publishes, on the producer's threads. */
    private final Map<String, Counter> published = new ConcurrentHashMap<>();
    private volatile double secondsBehindSource = Double.NaN;

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        commitToVisible = Timer.builder("flightcdc.commit.to.visible")
                .description("From a change's commit in the source to its warehouse transaction's commit")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        batchSize = DistributionSummary.builder("flightcdc.load.batch.changes")
                .description("Changes applied by one warehouse write").baseUnit("changes")
                .serviceLevelObjectives(BATCH_BUCKETS)
                .register(registry);
        warehouseWrite = Timer.builder("flightcdc.warehouse.write")
                .description("Time of one warehouse write: its transaction, the changes and their Kafka offsets")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        consumerLag = MultiGauge.builder("flightcdc.consumer.lag.records")
                .description("Changes in Kafka the warehouse loader has not loaded, per partition")
                .register(registry);
        // Series whose labels are known from the start are there from the start, at 0: an alert on increase()
        // then fires at the first one, and a dashboard shows 0 rather than no data.
        for (String outcome : List.of("inserted", "updated", "unchanged", "deleted")) {
            count("flightcdc.poll.rows", POLL_ROWS, "outcome", outcome, 0);
        }
        for (String reason : List.of(SKIPPED_ALREADY_LOADED, SKIPPED_REPLAYED, SKIPPED_UNEXPLAINED)) {
            skipped(reason, 0);
        }
        deadLettered(Tags.of("table", "", "reason", DeadLetter.Cause.UNREADABLE.label()), 0);
        Gauge.builder("flightcdc.seconds.behind.source", () -> secondsBehindSource)
                .description("At the last load: how long before it the newest change it applied was committed in the source")
                .register(registry);
    }

    /** Starts the dead-letter counts of {@code tables} at 0, for each reason a change of theirs may be set aside. */
    public void expectTables(Collection<String> tables) {
        for (String table : tables) {
            for (DeadLetter.Cause cause : DeadLetter.Cause.values()) {
                if (cause != DeadLetter.Cause.UNREADABLE) {
                    deadLettered(Tags.of("table", table, "reason", cause.label()), 0);
                }
            }
        }
    }

    /** Meters no one scrapes: for a pipeline run without Camel Main's metrics, as the tests' CamelMainTestSupport is. */
    public static PipelineMetrics unpublished() {
        return new PipelineMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The meters in Prometheus's text format, as /observe/metrics serves them, where they are published. */
    public Optional<Supplier<String>> prometheusText() {
        return registry instanceof PrometheusMeterRegistry prometheus ? Optional.of(prometheus::scrape) : Optional.empty();
    }

    // --- Poll ---------------------------------------------------------------------------------------------------

    /** What one poll wrote to the source, and the state vectors it refused, each by the reason's first word. */
    public void polled(PollResult poll, List<String> rejectionReasons) {
        count("flightcdc.poll.rows", POLL_ROWS, "outcome", "inserted", poll.inserted());
        count("flightcdc.poll.rows", POLL_ROWS, "outcome", "updated", poll.updated());
        count("flightcdc.poll.rows", POLL_ROWS, "outcome", "unchanged", poll.unchanged());
        count("flightcdc.poll.rows", POLL_ROWS, "outcome", "deleted", poll.deleted());
        for (String reason : rejectionReasons) {
            count("flightcdc.poll.rejected", "State vectors the poll refused (kept in rejected_state)", "reason",
                    kindOf(reason), 1);
        }
    }

    /** Counts {@code outcome}'s polls as they are counted elsewhere (opensky/PollGate). */
    public <T> void pollRequests(String outcome, T counts, ToDoubleFunction<T> count) {
        FunctionCounter.builder("flightcdc.poll.requests", counts, count)
                .description("Calls to the OpenSky API, by outcome").tag("outcome", outcome).register(registry);
    }

    /** A label for a rejection: its reason names the field it is about first ("latitude is out of range, ..."). */
    static String kindOf(String reason) {
        String first = reason == null ? "" : reason.strip().split("[^A-Za-z0-9_]", 2)[0].toLowerCase(Locale.ROOT);
        return first.isEmpty() ? "other" : first;
    }

    // --- Capture ------------------------------------------------------------------------------------------------

    /** Counts each change the capture route hands on to Kafka, by table and operation. */
    public Processor capturedChanges() {
        return this::captured;
    }

    private void captured(Exchange exchange) {
        String operation = exchange.getMessage().getHeader(DebeziumConstants.HEADER_OPERATION, String.class);
        String topic = exchange.getMessage().getHeader(DebeziumConstants.HEADER_IDENTIFIER, String.class);
        // The ends of transactions travel the same way, but are not changes.
        if (operation != null && topic != null && exchange.getMessage().getHeader(TransactionOrder.END) == null) {
            // On the capture's hot path: the counter is looked up once per table and operation.
            captured.computeIfAbsent(topic + '/' + operation, key -> Counter.builder("flightcdc.captured.changes")
                    .description("Row changes the capture read from the WAL and handed to Kafka")
                    .tags("table", tableOf(topic), "op", operation).register(registry)).increment();
        }
    }

    /** Kafka acknowledged a record the capture published to {@code topic}. */
    public void published(String topic) {
        // Once per record: the counter is looked up once per topic, not built and registered again each time.
        published.computeIfAbsent(topic, t -> Counter.builder(PUBLISHED)
                .description("Records Kafka acknowledged to the capture (changes and transaction ends)")
                .tags("topic", t).register(registry)).increment();
    }

    /** Records Kafka has acknowledged to the capture so far, but for those of {@code excludedTopics}. */
    public long published(Set<String> excludedTopics) {
        return (long) registry.find(PUBLISHED).counters().stream()
                .filter(counter -> !excludedTopics.contains(counter.getId().getTag("topic")))
                .mapToDouble(Counter::count).sum();
    }

    // --- Load ---------------------------------------------------------------------------------------------------

    /** What one warehouse write did. */
    public void loaded(LoadResult load) {
        Map<Tags, Long> applied = new HashMap<>();
        for (ChangeEvent change : load.visible()) {
            if (change.truncateCopy()) {
                continue;
            }
            applied.merge(Tags.of("table", change.table().toString(), "op", change.operation().code()), 1L, Long::sum);
            commitToVisible.record(Math.max(0, load.visibleAtMs() - change.sourceTsMs()), TimeUnit.MILLISECONDS);
        }
        applied.forEach((tags, changes) -> count("flightcdc.loaded.changes", "Changes applied to the warehouse", tags, changes));
        for (DeadLetter letter : load.deadLetters()) {
            deadLettered(Tags.of("table", letter.table() == null ? "" : letter.table(), "reason", letter.cause().label()), 1);
        }
        skipped(SKIPPED_ALREADY_LOADED, load.alreadyLoaded());
        skipped(SKIPPED_REPLAYED, load.replayed());
        skipped(SKIPPED_UNEXPLAINED, load.unexplained().size());
        if (load.applied() > 0) {
            batchSize.record(load.applied());
            secondsBehindSource = load.lagMillis() / 1000.0;
        }
        if (load.received() > 0) {
            warehouseWrite.record(load.millis(), TimeUnit.MILLISECONDS);
        }
    }

    private void skipped(String reason, long changes) {
        count("flightcdc.skipped.changes", "Changes not applied because they provably were already",
                Tags.of("reason", reason), changes);
    }

    private void deadLettered(Tags tableAndReason, long records) {
        count("flightcdc.dead.lettered", "Kafka records set aside in the warehouse's dead-letter table", tableAndReason, records);
    }

    // --- Monitors -----------------------------------------------------------------------------------------------

    /** The loader's lag per partition, as last measured (monitor/ConsumerLagMonitor). */
    public void consumerLag(Map<TopicPartition, Long> lag) {
        consumerLag.register(lag.entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("topic", e.getKey().topic(), "partition",
                        String.valueOf(e.getKey().partition())), e.getValue()))
                .toList(), true);
    }

    /** A gauge read from where it is measured; NaN while it is not known. */
    public void gauge(String name, String description, String unit, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).baseUnit(unit).register(registry);
    }

    private void count(String name, String description, String tag, String value, long amount) {
        count(name, description, Tags.of(tag, value), amount);
    }

    private void count(String name, String description, Tags tags, long amount) {
        // Micrometer hands back the meter registered before under the same name and tags.
        Counter.builder(name).description(description).tags(tags).register(registry).increment(amount);
    }

    /** {@code public.flight_state} of {@code flightcdc.public.flight_state}: Debezium's topics end in schema.table. */
    private static String tableOf(String topic) {
        int table = topic.lastIndexOf('.');
        int schema = table > 0 ? topic.lastIndexOf('.', table - 1) : -1;
        return schema >= 0 ? topic.substring(schema + 1) : topic;
    }
}
