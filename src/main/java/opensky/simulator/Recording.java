package opensky.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import opensky.PollRecorder;

/**
 * OpenSky responses recorded by {@link PollRecorder}, served again at the pace they arrived: the
 * response for a moment of the replay is the last one recorded at or before the same time after the
 * first. Past the end, the last response stays.
 */
public final class Recording {

    private final Path dir;
    private final List<Long> arrivals;

    private Recording(Path dir, List<Long> arrivals) {
        this.dir = dir;
        this.arrivals = arrivals;
    }

    /** @throws IllegalArgumentException when the folder holds no recorded responses */
    public static Recording open(Path dir) {
        List<Long> arrivals;
        try (Stream<Path> files = Files.list(dir)) {
            arrivals = files.map(f -> f.getFileName().toString())
                    .filter(name -> name.matches("\\d+" + java.util.regex.Pattern.quote(PollRecorder.SUFFIX)))
                    .map(name -> Long.parseLong(name.substring(0, name.length() - PollRecorder.SUFFIX.length())))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + dir.toAbsolutePath() + ": " + e.getMessage());
        }
        if (arrivals.isEmpty()) {
            throw new IllegalArgumentException("holds no recorded responses (<millis>" + PollRecorder.SUFFIX + " files): "
                    + dir.toAbsolutePath());
        }
        return new Recording(dir, arrivals);
    }

    public int size() {
        return arrivals.size();
    }

    /** How long the recorded session lasted, first response to last. */
    public Duration length() {
        return Duration.ofMillis(arrivals.get(arrivals.size() - 1) - arrivals.get(0));
    }

    /** Which response is due {@code elapsed} into the replay: its index. */
    public int indexAt(Duration elapsed) {
        long due = arrivals.get(0) + elapsed.toMillis();
        int index = 0;
        while (index + 1 < arrivals.size() && arrivals.get(index + 1) <= due) {
            index++;
        }
        return index;
    }

    /** The body of response {@code index}, as it was received. */
    public byte[] body(int index) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(arrivals.get(index) + PollRecorder.SUFFIX)))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read recorded response " + arrivals.get(index) + PollRecorder.SUFFIX, e);
        }
    }
}
