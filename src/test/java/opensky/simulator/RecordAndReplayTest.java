package opensky.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import opensky.MutableClock;
import opensky.PollRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session recorded by the poll is served again by the simulator at the pace it was recorded. */
class RecordAndReplayTest {

    private static final Instant START = Instant.parse("2026-05-01T10:00:00Z");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void recordedResponsesAreServedAgainInOrderAndAtTheirPace() throws Exception {
        MutableClock recordedAt = new MutableClock(START);
        PollRecorder recorder = new PollRecorder(Optional.of(dir), recordedAt);
        recorder.record("{\"time\": 1, \"states\": []}");
        recordedAt.advance(Duration.ofSeconds(5));
        recorder.record("{\"time\": 6, \"states\": [[\"Zürich ✈ malformed");
        recordedAt.advance(Duration.ofSeconds(5));
        recorder.record("{\"time\": 11, \"states\": null}");
        assertThat(recorder.recorded()).isEqualTo(3);

        Recording recording = Recording.open(dir);
        assertThat(recording.size()).isEqualTo(3);
        assertThat(recording.length()).isEqualTo(Duration.ofSeconds(10));

        // Replayed a day later: what counts is the time since the replay's first call.
        MutableClock replayAt = new MutableClock(START.plus(Duration.ofDays(1)));
        try (OpenSkySimulator replay = OpenSkySimulator.replaying(recording, replayAt)) {
            replay.start("127.0.0.1", 0);
            assertThat(states(replay)).isEqualTo("{\"time\": 1, \"states\": []}");
            replayAt.advance(Duration.ofSeconds(4));
            assertThat(states(replay)).as("the second response is not due yet").isEqualTo("{\"time\": 1, \"states\": []}");
            replayAt.advance(Duration.ofSeconds(1));
            assertThat(states(replay)).as("malformed as recorded").isEqualTo("{\"time\": 6, \"states\": [[\"Zürich ✈ malformed");
            replayAt.advance(Duration.ofMinutes(10));
            assertThat(states(replay)).as("past the end, the last one stays").isEqualTo("{\"time\": 11, \"states\": null}");
        }
    }

    @Test
    void aFolderWithoutRecordingsIsRefusedNamingIt() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "not a recording");

        assertThatThrownBy(() -> Recording.open(dir)).hasMessageContaining("holds no recorded responses")
                .hasMessageContaining(dir.toAbsolutePath().toString());
        assertThatThrownBy(() -> Recording.open(dir.resolve("absent"))).hasMessageContaining("cannot list");
    }

    @Test
    void aRecordingThatCannotBeWrittenCostsNoPoll() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "in the way of the folder");
        PollRecorder recorder = new PollRecorder(Optional.of(file), java.time.Clock.systemUTC());

        recorder.record("{\"time\": 1, \"states\": []}");
        recorder.record("{\"time\": 2, \"states\": []}");

        assertThat(recorder.recorded()).isZero();
        assertThat(recorder.failed()).isEqualTo(2);
    }

    private String states(OpenSkySimulator simulator) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/states/all")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
