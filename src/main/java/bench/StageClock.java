package bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clocks when the changes have all reached Kafka and when they have all reached the warehouse, by
 * polling how many records each holds. Each time is the first poll that saw the stage complete, so it
 * is late by at most one poll interval plus one read.
 */
public final class StageClock {

    private static final Logger LOG = LoggerFactory.getLogger(StageClock.class);

    /** A count that may need a round trip to read. */
    @FunctionalInterface
    public interface Count {
        long read() throws Exception;
    }

    /** System.nanoTime() when each stage was first seen to hold every record. */
    public record Arrivals(long inKafkaNanos, long inWarehouseNanos) {
    }

    private final Count inKafka;
    private final Count inWarehouse;
    private final Duration pollEvery;
    private final Duration stallTimeout;
    private final Duration progressEvery;

    public StageClock(Count inKafka, Count inWarehouse, Duration pollEvery, Duration stallTimeout, Duration progressEvery) {
        this.inKafka = inKafka;
        this.inWarehouse = inWarehouse;
        this.pollEvery = pollEvery;
        this.stallTimeout = stallTimeout;
        this.progressEvery = progressEvery;
    }

    /**
     * Waits until Kafka and the warehouse both hold {@code records} records; the number is known only
     * once the writer is done, which cannot be before the last record exists. {@code written} is the
     * writer's progress, for the log and to tell a slow pipeline from a stalled one.
     *
     * @throws IllegalStateException when no count moved for the stall timeout
     */
    public Arrivals await(String phase, CompletableFuture<Long> records, LongSupplier written) throws Exception {
        long inKafkaAt = 0;
        long inWarehouseAt = 0;
        long lastMove = System.nanoTime();
        long lastReport = lastMove;
        long lastSum = -1;
        while (inKafkaAt == 0 || inWarehouseAt == 0) {
            long kafka = inKafka.read();
            long warehouse = inWarehouse.read();
            long now = System.nanoTime();
            Long target = records.isDone() ? records.join() : null;
            if (target != null && inKafkaAt == 0 && kafka >= target) {
                inKafkaAt = now;
                LOG.info("{}: all {} records in Kafka", phase, target);
            }
            if (target != null && inWarehouseAt == 0 && warehouse >= target) {
                inWarehouseAt = now;
                LOG.info("{}: all {} records in the warehouse", phase, target);
            }
            long sum = written.getAsLong() + kafka + warehouse;
            if (sum != lastSum) {
                lastSum = sum;
                lastMove = now;
            } else if (now - lastMove > stallTimeout.toNanos()) {
                throw new IllegalStateException(phase + ": nothing moved for " + stallTimeout.toSeconds() + " s; "
                        + kafka + " records in Kafka, " + warehouse + " in the warehouse, expected "
                        + (target == null ? "more" : target));
            }
            if (now - lastReport >= progressEvery.toNanos()) {
                lastReport = now;
                LOG.info("{}: {} changes written, {} records in Kafka, {} in the warehouse{}", phase,
                        written.getAsLong(), kafka, warehouse, target == null ? "" : " of " + target);
            }
            TimeUnit.NANOSECONDS.sleep(pollEvery.toNanos());
        }
        return new Arrivals(inKafkaAt, inWarehouseAt);
    }
}
