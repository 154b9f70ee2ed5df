package app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import e2e.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import monitor.PipelineMetrics;
import org.junit.jupiter.api.Test;
import settings.PipelineSettings;

/**
 * While the pipeline is not running yet (a standby, a direct snapshot), its address answers: alive, not ready, and
 * what it waits for as it is at each request, and the meters as they are; and then lets the port go for Camel's server.
 */
class NotReadyHealthTest {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void answersAliveAndNotReadyWithWhatItWaitsForThenLetsThePortGo() throws Exception {
        int port = FreePorts.one();
        PipelineSettings.Http http = http(port);
        AtomicReference<String> progress = new AtomicReference<>("Direct snapshot: 10 of 100 rows (10%)");
        try (NotReadyHealth health = NotReadyHealth.serve(http, "direct-snapshot", progress::get, "testing", Optional.empty())) {
            assertThat(get(port, "/observe/health/live")).isEqualTo("200 {\"status\":\"UP\"}");
            assertThat(get(port, "/observe/health/ready")).isEqualTo("503 {\"status\":\"DOWN\",\"checks\":[{\"name\":"
                    + "\"direct-snapshot\",\"status\":\"DOWN\",\"message\":\"Direct snapshot: 10 of 100 rows (10%)\"}]}");
            progress.set("Direct snapshot: 90 of 100 rows (90%)");
            assertThat(get(port, "/observe/health")).startsWith("503 ").contains("90 of 100 rows");
            assertThat(get(port, "/dashboard/")).startsWith("503 ");
            assertThat(get(port, "/observe/metrics")).as("no meters published").startsWith("503 ");
        }
        assertThatThrownBy(() -> get(port, "/observe/health/live")).isInstanceOf(IOException.class);
    }

    @Test
    void servesThePublishedMetersAsTheyAreAtEachRequest() throws Exception {
        int port = FreePorts.one();
        PipelineMetrics metrics = new PipelineMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        AtomicReference<Double> done = new AtomicReference<>(0.25);
        metrics.gauge("flightcdc.snapshot.progress.ratio", "How much of the running snapshot is read", null, done::get);
        try (NotReadyHealth health = NotReadyHealth.serve(http(port), "direct-snapshot", () -> "loading", "testing",
                metrics.prometheusText())) {
            assertThat(get(port, "/observe/metrics")).startsWith("200 ").contains("flightcdc_snapshot_progress_ratio 0.25");
            done.set(0.5);
            assertThat(get(port, "/observe/metrics")).contains("flightcdc_snapshot_progress_ratio 0.5");
            assertThat(get(port, "/observe/health/ready")).startsWith("503 ").contains("loading");
        }
    }

    private static PipelineSettings.Http http(int port) {
        return PipelineSettings.Http.from(key -> Optional.ofNullable(Map.of(
                "flightcdc.http.enabled", "true", "flightcdc.http.host", "127.0.0.1", "flightcdc.http.port",
                String.valueOf(port), "flightcdc.http.query-timeout-ms", "1000", "flightcdc.http.console-max-rows", "10",
                "flightcdc.http.sample-interval-ms", "1000", "flightcdc.http.timeline-minutes", "1").get(key)));
    }

    private String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
