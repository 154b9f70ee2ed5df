package dashboard;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The pipeline view's memory: every sample interval, a reading of the pipeline's meters ({@link PipelineMeters}), of
 * which the last window's worth are kept, in memory only, oldest dropped first. The page charts them as they are.
 */
public final class PipelineTimeline {

    private final Supplier<Optional<MeterRegistry>> registry;
    private final Clock clock;
    private final Duration interval;
    private final int kept;
    private final List<PipelineMeters.Series> series = PipelineMeters.series();
    private final Deque<Sample> samples = new ArrayDeque<>();
    private Set<String> missing = Set.of();
    private boolean registryFound;

    /** The readings at one moment, in the order of the series; null where there was no value. */
    private record Sample(long at, Double[] values) {
    }

    /**
     * @param registry the pipeline's meter registry, looked up at each reading: Camel binds it only once it has started
     * @param kept how many readings are kept: the window divided by the interval
     */
    public PipelineTimeline(Supplier<Optional<MeterRegistry>> registry, Clock clock, Duration interval, int kept) {
        this.registry = registry;
        this.clock = clock;
        this.interval = interval;
        this.kept = kept;
    }

    /** Reads the meters once and keeps the reading, dropping the oldest beyond the window. */
    public synchronized void sample() {
        long now = clock.millis();
        Optional<MeterRegistry> meters = registry.get();
        Double[] values = new Double[series.size()];
        Set<String> notFound = new TreeSet<>();
        for (int i = 0; i < values.length; i++) {
            PipelineMeters.Measure measure = series.get(i).measure();
            if (meters.isPresent()) {
                values[i] = measure.read(meters.get(), now);
                if (meters.get().find(measure.meter()).meters().isEmpty()) {
                    notFound.add(measure.meter());
                }
            } else {
                notFound.add(measure.meter());
            }
        }
        registryFound = meters.isPresent();
        missing = notFound;
        samples.addLast(new Sample(now, values));
        while (samples.size() > kept) {
            samples.removeFirst();
        }
    }

    /** A series as the page charts it: one value per time of the view, null where there is none. */
    public record SeriesView(String key, String label, String unit, List<Double> values, Double latest) {
    }

    public record ChartView(String id, String title, String unit, List<SeriesView> series) {
    }

    /**
     * What the page draws: the times of the readings (epoch seconds, as uPlot takes them), each chart with its series
     * aligned on them, the series with no chart by their latest value, and the meters not found at the last reading.
     *
     * @param registryFound whether the pipeline's meter registry was found at the last reading
     */
    public record View(long intervalMs, long windowMs, List<Double> times, List<ChartView> charts, List<SeriesView> values,
                       boolean registryFound, List<String> missingMeters) {
    }

    public synchronized View view() {
        List<Sample> readings = new ArrayList<>(samples);
        List<Double> times = readings.stream().map(s -> s.at() / 1000.0).toList();
        List<ChartView> charts = new ArrayList<>();
        for (PipelineMeters.Chart chart : PipelineMeters.CHARTS) {
            List<SeriesView> inChart = new ArrayList<>();
            for (int i = 0; i < series.size(); i++) {
                if (chart.id().equals(series.get(i).chart())) {
                    inChart.add(seriesView(i, readings));
                }
            }
            charts.add(new ChartView(chart.id(), chart.title(), chart.unit(), inChart));
        }
        List<SeriesView> values = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            if (series.get(i).chart() == null) {
                values.add(seriesView(i, readings));
            }
        }
        return new View(interval.toMillis(), interval.toMillis() * kept, times, charts, values, registryFound,
                List.copyOf(missing));
    }

    private SeriesView seriesView(int index, List<Sample> readings) {
        PipelineMeters.Series s = series.get(index);
        List<Double> values = readings.stream().map(r -> r.values()[index]).toList();
        Double latest = null;
        for (int i = readings.size() - 1; i >= 0 && latest == null; i--) {
            latest = readings.get(i).values()[index];
        }
        return new SeriesView(s.key(), s.label(), s.unit(), values, latest);
    }
}
