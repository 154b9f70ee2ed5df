package capture;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * How much the capture may have handed to Kafka and not yet had acknowledged, counted as the heap holds it: before
 * compression. Kafka's producer bounds its own buffer ({@code buffer.memory}) after compression, closing each batch at
 * a size it estimates from the ratio of the batches before: once that estimate has learnt that change events compress
 * about seven to one, a broker that stops answering lets the buffer take several times its size in changes. And every
 * change handed over stays on the heap until Kafka answers, since camel-kafka's callback keeps its exchange. Measured
 * on the embedded broker throttled to a standstill ({@code bench/scripts/producer-stall.sh}): a fresh producer's
 * 32 MiB buffer took 31 MiB of changes before a send waited, but after 300,000 changes 193–244 MiB (two runs), more
 * than the pipeline's whole heap.
 *
 * <p>So each send takes a share of this budget first and gives it back when Kafka answers; when it is spent, the
 * capture waits as Kafka's send waits for room in its buffer, and as long ({@code flightcdc.kafka.max-block-ms}).
 */
final class InFlightBudget {

    /** The budget is kept in kibibytes, so that a semaphore's int permits can count it. */
    private static final int UNIT_BYTES = 1024;

    private final Semaphore units;
    private final long bytes;

    InFlightBudget(long bytes) {
        this.units = new Semaphore((int) Math.min(Integer.MAX_VALUE, bytes / UNIT_BYTES));
        this.bytes = bytes;
    }

    /**
     * The share of what one send hands over: its records' keys and values, and a kibibyte a record for the exchange
     * and the callbacks the heap keeps with it until Kafka answers. A list is sent as a record per element.
     */
    static int unitsOf(Message message) {
        if (message.getBody() instanceof List<?> records) {
            int units = 0;
            for (Object record : records) {
                units += record instanceof Message m ? unitsOf(m) : 1;
            }
            return units;
        }
        long recordBytes = length(message.getHeader(KafkaConstants.KEY)) + length(message.getBody());
        return (int) ((recordBytes + UNIT_BYTES - 1) / UNIT_BYTES) + 1;
    }

    private static long length(Object value) {
        return value instanceof byte[] b ? b.length : 0;
    }

    /** Takes {@code units}, waiting up to {@code wait} for Kafka's answers to give some back; false if they did not. */
    boolean take(int units, Duration wait) throws InterruptedException {
        return this.units.tryAcquire(units) || this.units.tryAcquire(units, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    void giveBack(int units) {
        this.units.release(units);
    }

    /** The budget, for messages. */
    long bytes() {
        return bytes;
    }
}
