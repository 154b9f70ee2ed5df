package capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class PublishTrackerTest {

    private final PublishTracker tracker = new PublishTracker();

    @Test
    void nothingInFlightMeansNothingToWaitFor() throws Exception {
        tracker.awaitAcknowledged(Duration.ofMillis(1));
    }

    @Test
    void waitsUntilEverySendBegunBeforeIsAcknowledged() throws Exception {
        long first = tracker.begin();
        long second = tracker.begin();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> await(Duration.ofSeconds(10)));

        tracker.completed(second, null);
        Thread.sleep(100);
        assertThat(waiting).as("the first send is still unacknowledged").isNotDone();

        tracker.completed(first, null);
        waiting.get(5, TimeUnit.SECONDS);
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void sendsBegunAfterTheCallAreNotWaitedFor() throws Exception {
        long before = tracker.begin();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> await(Duration.ofSeconds(10)));
        Thread.sleep(50);
        tracker.begin();

        tracker.completed(before, null);

        waiting.get(5, TimeUnit.SECONDS);
        assertThat(tracker.inFlight()).isEqualTo(1);
    }

    @Test
    void aRefusedChangeIsNeverWaitedPast() {
        long ticket = tracker.begin();
        tracker.completed(ticket, new IllegalStateException("record too large"));

        assertThatThrownBy(() -> tracker.awaitAcknowledged(Duration.ofSeconds(1)))
                .isInstanceOf(PublishTracker.PublishFailedException.class)
                .hasMessageContaining("record too large");
        tracker.completed(tracker.begin(), null);
        assertThat(tracker.failure()).isPresent();
    }

    @Test
    void aChangeTheCaptureFailedOnBeforeSendingItIsNeverWaitedPastEither() {
        assertThat(tracker.failedBeforeSending(new IllegalArgumentException("no such column"))).as("the first failure").isTrue();
        assertThat(tracker.failedBeforeSending(new IllegalArgumentException("again"))).isFalse();

        assertThatThrownBy(() -> tracker.awaitAcknowledged(Duration.ofSeconds(1)))
                .isInstanceOf(PublishTracker.PublishFailedException.class)
                .hasMessage("the capture failed on a change before sending it: no such column");
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void givesUpWaitingAfterTheTimeout() {
        tracker.begin();

        assertThatThrownBy(() -> tracker.awaitAcknowledged(Duration.ofMillis(100)))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("1 changes sent to Kafka are still unacknowledged");
    }

    private void await(Duration timeout) {
        try {
            tracker.awaitAcknowledged(timeout);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
