package observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/grafana's dashboard: valid JSON that Grafana provisions from where compose mounts it, every panel on the
 * provisioned Prometheus, and the metrics it reads, which {@link GrafanaDashboard#metricNames} finds.
 */
class GrafanaDashboardTest {

    private static final Path GRAFANA = Path.of("docker", "grafana");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * What the panels read, as the pipeline's Prometheus endpoint names it (Micrometer adds _total to counters, and
     * _bucket, _sum and _count to histograms): a new panel on a new metric adds its name here.
     */
    private static final Set<String> READ_BY_THE_PANELS = Set.of(
            "flightcdc_poll_requests_total", "flightcdc_poll_rows_total", "flightcdc_poll_rejected_total",
            "flightcdc_captured_changes_total", "flightcdc_published_changes_total", "flightcdc_loaded_changes_total",
            "flightcdc_dead_lettered_total", "flightcdc_skipped_changes_total",
            "flightcdc_consumer_lag_records", "flightcdc_slot_retained_wal_bytes", "flightcdc_seconds_behind_source",
            "flightcdc_snapshot_progress_ratio", "flightcdc_opensky_credits_remaining",
            "flightcdc_commit_to_visible_seconds_bucket", "flightcdc_warehouse_write_seconds_bucket",
            "flightcdc_load_batch_changes_bucket", "flightcdc_load_batch_changes_sum", "flightcdc_load_batch_changes_count",
            "jvm_memory_used_bytes", "process_cpu_usage", "jvm_gc_pause_seconds_sum", "jvm_gc_pause_seconds_count",
            "jvm_threads_live_threads");

    @Test
    void metricNamesAreEveryMetricThePanelsReadRowsIncluded() {
        assertThat(GrafanaDashboard.metricNames(GrafanaDashboard.FLIGHT_CDC)).containsExactlyInAnyOrderElementsOf(READ_BY_THE_PANELS);
    }

    @Test
    void aMetricNameIsAnIdentifierThatIsNeitherAFunctionNorALabelNorAKeyword() {
        assertThat(GrafanaDashboard.metricNamesIn(
                "histogram_quantile(0.99, sum by (le) (rate(flightcdc_commit_to_visible_seconds_bucket[5m])))"))
                .containsExactly("flightcdc_commit_to_visible_seconds_bucket");
        assertThat(GrafanaDashboard.metricNamesIn("max(flightcdc_seconds_behind_source)"))
                .containsExactly("flightcdc_seconds_behind_source");
        assertThat(GrafanaDashboard.metricNamesIn(
                "sum(rate(a_total{outcome!=\"unchanged\", job=~\"$job\"}[$__rate_interval] offset 5m)) BY (outcome)"))
                .containsExactly("a_total");
        assertThat(GrafanaDashboard.metricNamesIn("sum(rate(a_sum[1m])) / on (instance) group_left (area) b_count > bool 1e3"))
                .containsExactlyInAnyOrder("a_sum", "b_count");
        assertThat(GrafanaDashboard.metricNamesIn(
                "label_replace(up{job=\"x\"}, \"dst\", \"$1\", \"src\", \"(.*)\") or vector(0) unless node:cpu:rate5m"))
                .containsExactlyInAnyOrder("up", "node:cpu:rate5m");
        assertThat(GrafanaDashboard.metricNamesIn("max_over_time(deriv(x[10m:1m])[1h:]) * $__interval_ms")).containsExactly("x");
    }

    @Test
    void theDashboardIsStrictJsonWithPanelsOfUniqueIdsInsideAndOutsideRows() {
        JsonNode dashboard = GrafanaDashboard.read(GrafanaDashboard.FLIGHT_CDC);

        assertThat(dashboard.path("uid").asText()).isEqualTo("flight-cdc");
        assertThat(dashboard.path("schemaVersion").asInt()).isBetween(36, 41);
        List<JsonNode> panels = GrafanaDashboard.panels(dashboard);
        assertThat(panels).hasSizeGreaterThan(dashboard.path("panels").size());
        Set<Integer> ids = new HashSet<>();
        assertThat(panels).allSatisfy(panel -> {
            assertThat(ids.add(panel.path("id").asInt())).as("id of %s is unique", panel.path("title")).isTrue();
            assertThat(panel.path("title").asText()).isNotBlank();
            assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
        });
    }

    @Test
    void everyPanelQueriesTheProvisionedPrometheus() throws IOException {
        JsonNode datasource = YAML.readTree(GRAFANA.resolve("provisioning/datasources/prometheus.yaml").toFile())
                .path("datasources").path(0);
        String uid = datasource.path("uid").asText();
        assertThat(uid).isNotBlank();
        assertThat(datasource.path("type").asText()).isEqualTo("prometheus");

        List<JsonNode> queryPanels = GrafanaDashboard.panels(GrafanaDashboard.read(GrafanaDashboard.FLIGHT_CDC)).stream()
                .filter(panel -> !panel.path("type").asText().equals("row")).toList();

        assertThat(queryPanels).isNotEmpty().allSatisfy(panel -> {
            String title = panel.path("title").asText();
            assertThat(panel.path("datasource").path("uid").asText()).as(title).isEqualTo(uid);
            assertThat(panel.path("datasource").path("type").asText()).as(title).isEqualTo("prometheus");
            assertThat(panel.path("targets")).as(title).isNotEmpty().allSatisfy(target -> {
                assertThat(target.path("expr").asText()).as(title).isNotBlank();
                assertThat(target.path("datasource").path("uid").asText()).as(title).isEqualTo(uid);
            });
        });
    }

    /** The provider reads the folder compose mounts docker/grafana/dashboards on, where Grafana's home dashboard is. */
    @Test
    void grafanaFindsTheDashboardWhereComposeMountsIt() throws IOException {
        String folder = YAML.readTree(GRAFANA.resolve("provisioning/dashboards/flight-cdc.yaml").toFile())
                .path("providers").path(0).path("options").path("path").asText();
        JsonNode grafana = YAML.readTree(Path.of("docker", "compose.monitoring.yaml").toFile()).path("services").path("grafana");

        List<String> mounts = YAML.convertValue(grafana.path("volumes"), YAML.getTypeFactory().constructCollectionType(List.class, String.class));
        assertThat(mounts).contains("./grafana/dashboards:" + folder + ":ro");
        assertThat(grafana.path("environment").path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText())
                .isEqualTo(folder + "/" + GrafanaDashboard.FLIGHT_CDC.getFileName());
    }

    @Test
    void aDashboardThatIsNotStrictJsonIsRefused(@TempDir Path dir) throws IOException {
        Path twice = Files.writeString(dir.resolve("twice.json"), "{\"panels\": [], \"panels\": []}");
        Path trailingComma = Files.writeString(dir.resolve("comma.json"), "{\"panels\": [],}");

        assertThatThrownBy(() -> GrafanaDashboard.metricNames(twice)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("twice.json").hasStackTraceContaining("Duplicate field 'panels'");
        assertThatThrownBy(() -> GrafanaDashboard.metricNames(trailingComma)).isInstanceOf(UncheckedIOException.class);
    }
}
