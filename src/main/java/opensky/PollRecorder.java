package opensky;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every OpenSky response the poll receives, as received, so that a session captured online can
 * be served again offline ({@code flightcdc.opensky.replay-dir}). One gzip file per response, named
 * after the millisecond it arrived: the names give the order and the pace of the replay.
 *
 * <p>Recording must never cost a poll: a file that cannot be written is counted and logged once.
 */
public final class PollRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(PollRecorder.class);
    public static final String SUFFIX = ".json.gz";

    private final Optional<Path> dir;
    private final Clock clock;
    private long recorded;
    private long failed;
    private long lastMillis;

    public PollRecorder(Optional<Path> dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
        dir.ifPresent(d -> LOG.info("Recording OpenSky responses to {}", d.toAbsolutePath()));
    }

    /** Writes {@code body} to the recording, when recording is on. */
    public synchronized void record(String body) {
        if (dir.isEmpty() || body == null) {
            return;
        }
        // Two responses within a millisecond (a test, a replay) still get a file each, in order.
        long millis = Math.max(clock.millis(), lastMillis + 1);
        lastMillis = millis;
        Path file = dir.get().resolve(millis + SUFFIX);
        try {
            Files.createDirectories(dir.get());
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
            recorded++;
        } catch (IOException e) {
            if (failed++ == 0) {
                LOG.warn("Cannot record OpenSky responses to {} ({}); polling goes on, unrecorded", dir.get(), e.toString());
            }
        }
    }

    public synchronized long recorded() {
        return recorded;
    }

    public synchronized long failed() {
        return failed;
    }
}
