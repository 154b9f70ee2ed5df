package dashboard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What the pipeline view charts, read from the pipeline's Micrometer meters (flightcdc.*, in Prometheus at
 * /observe/metrics under the same names with underscores): per stage, how many changes a second pass, how far behind
 * it is, how fresh the warehouse is, and what is set aside. A meter that is not registered (yet) is no data, not an
 * error: the series has a gap there.
 *
 * <p>Counters become rates over each interval between two readings, and the commit-to-visible timer's histogram
 * becomes percentiles of the changes made visible within the interval (its bucket counts are cumulative, so the
 * difference of two readings is the interval's own distribution).
 */
final class PipelineMeters {

    private PipelineMeters() {
    }

    /**
     * A series of the pipeline view.
     *
     * @param chart the chart it is drawn in; null for a value the page lists with its latest reading only
     */
    record Series(String key, String chart, String label, String unit, Measure measure) {
    }

    /** A chart of the pipeline view, and the unit of its axis. */
    record Chart(String id, String title, String unit) {
    }

    static final List<Chart> CHARTS = List.of(
            new Chart("throughput", "Changes a second, by stage", "changes/s"),
            new Chart("freshness", "Freshness: how far behind the source", "s"),
            new Chart("lag", "Loader's lag: Kafka records not yet loaded", "records"),
            new Chart("wal", "WAL the replication slot retains", "MB"),
            new Chart("set-aside", "Set aside a second", "/s"));

    /** The series, each with a measure of its own (they remember the last reading): one list per timeline. */
    static List<Series> series() {
        return List.of(
                new Series("poll.rows", "throughput", "poll: rows written", "changes/s",
                        new Rate("flightcdc.poll.rows", id -> !"unchanged".equals(id.getTag("outcome")))),
                new Series("captured", "throughput", "capture: changes read from the WAL", "changes/s",
                        new Rate("flightcdc.captured.changes", id -> true)),
                new Series("published", "throughput", "capture: changes published to Kafka", "changes/s",
                        new Rate("flightcdc.published.changes", id -> true)),
                new Series("loaded", "throughput", "load: changes loaded", "changes/s",
                        new Rate("flightcdc.loaded.changes", id -> true)),
                new Series("behind.source", "freshness", "capture: seconds behind the source", "s",
                        new GaugeSum("flightcdc.seconds.behind.source", 1)),
                new Series("visible.p50", "freshness", "commit to visible, median", "s",
                        new IntervalPercentile("flightcdc.commit.to.visible", 0.5)),
                new Series("visible.p95", "freshness", "commit to visible, 95th percentile", "s",
                        new IntervalPercentile("flightcdc.commit.to.visible", 0.95)),
                new Series("visible.p99", "freshness", "commit to visible, 99th percentile", "s",
                        new IntervalPercentile("flightcdc.commit.to.visible", 0.99)),
                new Series("consumer.lag", "lag", "load: records behind the change topics' ends", "records",
                        new GaugeSum("flightcdc.consumer.lag.records", 1)),
                new Series("retained.wal", "wal", "capture: WAL the slot retains", "MB",
                        new GaugeSum("flightcdc.slot.retained.wal.bytes", 1e-6)),
                new Series("dead.lettered", "set-aside", "load: records set aside (dead letters)", "/s",
                        new Rate("flightcdc.dead.lettered", id -> true)),
                new Series("rejected", "set-aside", "poll: state vectors rejected", "/s",
                        new Rate("flightcdc.poll.rejected", id -> true)),
                new Series("skipped", "set-aside", "load: changes skipped (already loaded)", "/s",
                        new Rate("flightcdc.skipped.changes", id -> true)),
                new Series("snapshot.progress", null, "capture: initial snapshot done", "%",
                        new GaugeSum("flightcdc.snapshot.progress.ratio", 100)),
                new Series("credits.remaining", null, "poll: OpenSky credits left today", "credits",
                        new GaugeSum("flightcdc.opensky.credits.remaining", 1)));
    }

    /** How a series is read from the meters; it may remember the previous reading. Called by one thread at a time. */
    interface Measure {

        /** The meter it reads, to tell which are missing. */
        String meter();

        /** Its value now, or null when there is none (the meter is missing, or this is its first reading). */
        Double read(MeterRegistry registry, long nowMillis);
    }

    /** A counter's increase a second since the previous reading, summed over the meters of that name {@code matching}. */
    static final class Rate implements Measure {
        private final String meter;
        private final Predicate<Meter.Id> matching;
        private Double previousTotal;
        private long previousAt;

        Rate(String meter, Predicate<Meter.Id> matching) {
            this.meter = meter;
            this.matching = matching;
        }

        @Override
        public String meter() {
            return meter;
        }

        @Override
        public Double read(MeterRegistry registry, long nowMillis) {
            Double total = null;
            for (Meter m : registry.find(meter).meters()) {
                if (!matching.test(m.getId())) {
                    continue;
                }
                double count = m instanceof Counter c ? c.count() : m instanceof FunctionCounter f ? f.count() : Double.NaN;
                if (!Double.isNaN(count)) {
                    total = (total == null ? 0 : total) + count;
                }
            }
            Double rate = null;
            if (total != null && previousTotal != null && nowMillis > previousAt && total >= previousTotal) {
                rate = (total - previousTotal) * 1000.0 / (nowMillis - previousAt);
            }
            previousTotal = total;
            previousAt = nowMillis;
            return rate;
        }
    }

    /** The sum of the gauges of that name (one per partition, say), times {@code scale}. */
    static final class GaugeSum implements Measure {
        private final String meter;
        private final double scale;

        GaugeSum(String meter, double scale) {
            this.meter = meter;
            this.scale = scale;
        }

        @Override
        public String meter() {
            return meter;
        }

        @Override
        public Double read(MeterRegistry registry, long nowMillis) {
            Double sum = null;
            for (Meter m : registry.find(meter).meters()) {
                double value = m instanceof TimeGauge t ? t.value(TimeUnit.SECONDS) : m instanceof Gauge g ? g.value() : Double.NaN;
                if (!Double.isNaN(value) && !Double.isInfinite(value)) {
                    sum = (sum == null ? 0 : sum) + value;
                }
            }
            return sum == null ? null : sum * scale;
        }
    }

    /**
     * A percentile, in seconds, of what a timer recorded between the previous reading and this one: from the
     * difference of its histogram's cumulative bucket counts, interpolated within the bucket. A timer without a
     * histogram gives the percentile it computes itself, if it was configured to; none, no value.
     */
    static final class IntervalPercentile implements Measure {
        private final String meter;
        private final double quantile;
        private double[] previousCounts;

        IntervalPercentile(String meter, double quantile) {
            this.meter = meter;
            this.quantile = quantile;
        }

        @Override
        public String meter() {
            return meter;
        }

        @Override
        public Double read(MeterRegistry registry, long nowMillis) {
            Collection<Timer> timers = registry.find(meter).timers();
            if (timers.isEmpty()) {
                previousCounts = null;
                return null;
            }
            // Timers of one name differ by tags only, and share their buckets: add them up.
            double[] bounds = null;
            double[] counts = null;
            Double ownPercentile = null;
            for (Timer timer : timers) {
                HistogramSnapshot snapshot = timer.takeSnapshot();
                CountAtBucket[] buckets = snapshot.histogramCounts();
                if (buckets.length == 0) {
                    for (ValueAtPercentile p : snapshot.percentileValues()) {
                        if (p.percentile() == quantile) {
                            ownPercentile = Math.max(ownPercentile == null ? 0 : ownPercentile, p.value(TimeUnit.SECONDS));
                        }
                    }
                    continue;
                }
                // The finite buckets, then every value recorded: those above the last bucket count there only.
                if (bounds == null) {
                    bounds = new double[buckets.length + 1];
                    counts = new double[buckets.length + 1];
                    for (int i = 0; i < buckets.length; i++) {
                        bounds[i] = buckets[i].bucket(TimeUnit.SECONDS);
                    }
                    bounds[buckets.length] = Double.POSITIVE_INFINITY;
                }
                if (buckets.length + 1 == counts.length) {
                    for (int i = 0; i < buckets.length; i++) {
                        counts[i] += buckets[i].count();
                    }
                    counts[buckets.length] += snapshot.count();
                }
            }
            if (counts == null) {
                return ownPercentile;
            }
            double[] previous = previousCounts;
            previousCounts = counts;
            if (previous == null || previous.length != counts.length) {
                return null;
            }
            double[] interval = new double[counts.length];
            for (int i = 0; i < counts.length; i++) {
                interval[i] = counts[i] - previous[i];
                if (interval[i] < 0) {
                    // The counts went down: a registry whose histogram forgets. Start again from this reading.
                    return null;
                }
            }
            return percentile(bounds, interval, quantile);
        }

        /**
         * The {@code quantile} of a cumulative histogram, interpolated linearly within its bucket; null when empty. One
         * beyond the last finite bucket is given as that bucket's bound: at least that much.
         */
        static Double percentile(double[] bounds, double[] cumulative, double quantile) {
            double total = cumulative[cumulative.length - 1];
            if (total <= 0) {
                return null;
            }
            double target = quantile * total;
            double lowerBound = 0;
            double lowerCount = 0;
            for (int i = 0; i < bounds.length; i++) {
                if (cumulative[i] >= target) {
                    if (Double.isInfinite(bounds[i])) {
                        return lowerBound;
                    }
                    double inBucket = cumulative[i] - lowerCount;
                    double fraction = inBucket <= 0 ? 1 : (target - lowerCount) / inBucket;
                    return lowerBound + fraction * (bounds[i] - lowerBound);
                }
                lowerBound = bounds[i];
                lowerCount = cumulative[i];
            }
            return lowerBound;
        }
    }
}
