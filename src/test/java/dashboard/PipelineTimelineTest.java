package dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The pipeline view's sampler over the registry the pipeline binds (Prometheus), with the meters the stages register
 * under their names: rates from counters, sums of gauges, percentiles of each interval from the timer's histogram, a
 * missing meter as a gap, and no more readings than the window holds.
 */
class PipelineTimelineTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SteppingClock clock = new SteppingClock();

    @Test
    void withoutAnyOfThePipelinesMetersEverySeriesIsAGapAndEachMeterIsNamedAsMissing() {
        PipelineTimeline timeline = new PipelineTimeline(() -> Optional.of(registry), clock, Duration.ofSeconds(5), 10);
        timeline.sample();
        clock.step(5_000);
        timeline.sample();

        PipelineTimeline.View view = timeline.view();
        assertThat(view.times()).hasSize(2);
        assertThat(view.registryFound()).isTrue();
        assertThat(view.charts()).extracting(PipelineTimeline.ChartView::id)
                .containsExactly("throughput", "freshness", "lag", "wal", "set-aside");
        assertThat(view.charts()).flatExtracting(PipelineTimeline.ChartView::series)
                .allSatisfy(s -> assertThat(s.values()).containsOnlyNulls().hasSize(2));
        assertThat(view.missingMeters()).contains("flightcdc.poll.rows", "flightcdc.commit.to.visible",
                "flightcdc.consumer.lag.records", "flightcdc.opensky.credits.remaining");
    }

    @Test
    void beforeCamelBindsItsRegistryThereIsNothingToReadAndNoError() {
        PipelineTimeline timeline = new PipelineTimeline(Optional::empty, clock, Duration.ofSeconds(5), 10);
        timeline.sample();
        assertThat(timeline.view().registryFound()).isFalse();
        assertThat(timeline.view().times()).hasSize(1);
    }

    @Test
    void countersBecomeRatesAndGaugesAreSummedAcrossTheirTags() {
        Counter inserted = counter("flightcdc.poll.rows", "outcome", "inserted");
        Counter updated = counter("flightcdc.poll.rows", "outcome", "updated");
        Counter unchanged = counter("flightcdc.poll.rows", "outcome", "unchanged");
        Counter loaded = counter("flightcdc.loaded.changes", "table", "public.flight_state", "op", "u");
        AtomicLong partition0 = new AtomicLong(120);
        AtomicLong partition1 = new AtomicLong(30);
        Gauge.builder("flightcdc.consumer.lag.records", partition0, AtomicLong::get).tags("topic", "t", "partition", "0").register(registry);
        Gauge.builder("flightcdc.consumer.lag.records", partition1, AtomicLong::get).tags("topic", "t", "partition", "1").register(registry);
        AtomicLong walBytes = new AtomicLong(25_000_000);
        Gauge.builder("flightcdc.slot.retained.wal.bytes", walBytes, AtomicLong::get).register(registry);
        PipelineTimeline timeline = new PipelineTimeline(() -> Optional.of(registry), clock, Duration.ofSeconds(5), 10);

        inserted.increment(100);
        timeline.sample();
        clock.step(5_000);
        inserted.increment(50);
        updated.increment(950);
        unchanged.increment(10_000);
        loaded.increment(2_000);
        timeline.sample();

        PipelineTimeline.View view = timeline.view();
        assertThat(series(view, "poll.rows")).as("rows written a second: unchanged ones are not").containsExactly(null, 200.0);
        assertThat(series(view, "loaded")).containsExactly(null, 400.0);
        assertThat(series(view, "consumer.lag")).containsExactly(150.0, 150.0);
        assertThat(series(view, "retained.wal")).containsExactly(25.0, 25.0);
        assertThat(view.missingMeters()).doesNotContain("flightcdc.poll.rows", "flightcdc.consumer.lag.records")
                .contains("flightcdc.captured.changes");
    }

    @Test
    void commitToVisiblePercentilesAreThoseOfEachIntervalNotOfTheWholeRun() {
        Timer visible = Timer.builder("flightcdc.commit.to.visible").publishPercentileHistogram().register(registry);
        PipelineTimeline timeline = new PipelineTimeline(() -> Optional.of(registry), clock, Duration.ofSeconds(5), 10);
        timeline.sample();

        for (int i = 0; i < 1_000; i++) {
            visible.record(Duration.ofMillis(400 + (i % 200)));
        }
        clock.step(5_000);
        timeline.sample();
        clock.step(5_000);
        timeline.sample();
        for (int i = 0; i < 10; i++) {
            visible.record(Duration.ofMillis(3_000));
        }
        clock.step(5_000);
        timeline.sample();

        List<Double> median = series(timeline.view(), "visible.p50");
        assertThat(median.get(0)).as("no interval before the first reading").isNull();
        // Micrometer's buckets around 0.5 s are about 0.09 s wide: the interpolated median is within one.
        assertThat(median.get(1)).isCloseTo(0.5, within(0.1));
        assertThat(median.get(2)).as("nothing made visible in that interval").isNull();
        assertThat(median.get(3)).as("the last interval's own, not the run's").isCloseTo(3.0, within(0.5));
        assertThat(series(timeline.view(), "visible.p99").get(1)).isBetween(0.55, 0.7);
    }

    @Test
    void onlyTheWindowsReadingsAreKept() {
        PipelineTimeline timeline = new PipelineTimeline(() -> Optional.of(registry), clock, Duration.ofSeconds(5), 3);
        for (int i = 0; i < 5; i++) {
            timeline.sample();
            clock.step(5_000);
        }
        assertThat(timeline.view().times()).containsExactly(1_000_010.0, 1_000_015.0, 1_000_020.0);
        assertThat(timeline.view().windowMs()).isEqualTo(15_000);
    }

    @Test
    void theViewIsJsonWithItsGaps() throws Exception {
        PipelineTimeline timeline = new PipelineTimeline(() -> Optional.of(registry), clock, Duration.ofSeconds(5), 3);
        timeline.sample();
        String json = new ObjectMapper().writeValueAsString(timeline.view());
        assertThat(json).contains("\"times\":[1000000.0]", "\"key\":\"poll.rows\"", "\"values\":[null]", "\"latest\":null");
    }

    @Test
    void aPercentileIsInterpolatedWithinItsBucketAndOneBeyondTheLastIsAtLeastItsBound() {
        double[] bounds = {1, 2, 4, Double.POSITIVE_INFINITY};
        assertThat(PipelineMeters.IntervalPercentile.percentile(bounds, new double[] {0, 10, 10, 10}, 0.5)).isEqualTo(1.5);
        assertThat(PipelineMeters.IntervalPercentile.percentile(bounds, new double[] {5, 5, 5, 10}, 0.9)).isEqualTo(4.0);
        assertThat(PipelineMeters.IntervalPercentile.percentile(bounds, new double[] {0, 0, 0, 0}, 0.5)).isNull();
    }

    private Counter counter(String name, String... tags) {
        return Counter.builder(name).tags(tags).register(registry);
    }

    private static List<Double> series(PipelineTimeline.View view, String key) {
        return view.charts().stream().flatMap(c -> c.series().stream()).filter(s -> s.key().equals(key)).findFirst()
                .orElseThrow().values();
    }

    /** A clock the test moves: the readings' times. */
    private static final class SteppingClock extends Clock {
        private long millis = 1_000_000_000L;

        void step(long by) {
            millis += by;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
