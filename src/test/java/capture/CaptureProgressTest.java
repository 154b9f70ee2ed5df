package capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import opensky.LogLines;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/** A capture that loads nothing says what it published, once per interval, and nothing while idle. */
class CaptureProgressTest {

    @Test
    void eachReportSaysWhatWasPublishedSinceTheLastAndAnIdleOneSaysNothing() {
        AtomicLong published = new AtomicLong(500);
        try (LogLines log = new LogLines(Level.INFO); CaptureProgress progress = new CaptureProgress(Duration.ofHours(1), published::get)) {
            published.addAndGet(1_234);
            progress.report();
            progress.report();
            published.incrementAndGet();
            progress.report();

            assertThat(log.all()).filteredOn(line -> line.startsWith("INFO capture:")).containsExactly(
                    "INFO capture: Published 1234 changes to Kafka, each acknowledged",
                    "INFO capture: Published 1 change to Kafka, each acknowledged");
        }
    }
}
