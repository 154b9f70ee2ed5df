package bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.Supplier;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * When the warehouse made the topic's records visible, exactly per loaded batch, not sampled: right
 * after each batch's warehouse transaction commits, on the loader's own thread, this notes the time
 * and the warehouse's stored next offsets, per partition (an in-memory read).
 *
 * <p>Not at the end of the load route's exchange, which a Camel event notifier would give without any
 * hook: the route commits the batch's Kafka offsets after the warehouse transaction, and that round
 * trip took 4 to 50 ms, once 470 ms, on the busy 2-core machine.
 */
final class WarehouseVisibility implements AutoCloseable {

    private final DuckDbWarehouse warehouse;
    private final Supplier<PartitionCounts> loaded;
    private long[] nanos = new long[1024];
    private PartitionCounts[] records = new PartitionCounts[1024];
    private int seen;

    private WarehouseVisibility(DuckDbWarehouse warehouse, Supplier<PartitionCounts> loaded) {
        this.warehouse = warehouse;
        this.loaded = loaded;
    }

    /**
     * Starts watching the warehouse of a running pipeline; {@code loaded} reads its stored next offsets
     * for the topic, per partition. Records already loaded count as visible from now.
     */
    static WarehouseVisibility watch(DuckDbWarehouse warehouse, Supplier<PartitionCounts> loaded) {
        WarehouseVisibility visibility = new WarehouseVisibility(warehouse, loaded);
        visibility.observe();
        warehouse.afterLoad(visibility::observe);
        return visibility;
    }

    private void observe() {
        PartitionCounts count = loaded.get();
        long now = System.nanoTime(); // after the read, which may wait for a batch being loaded
        synchronized (this) {
            if (seen > 0) {
                // Writers of other partitions observe too, and may read before and get here after this one: what
                // either read was visible by now.
                count = count.max(records[seen - 1]);
                if (count.equals(records[seen - 1])) {
                    return; // nothing new for this topic
                }
            }
            if (seen == nanos.length) {
                nanos = Arrays.copyOf(nanos, seen * 2);
                records = Arrays.copyOf(records, seen * 2);
            }
            nanos[seen] = now;
            records[seen] = count;
            seen++;
            notifyAll();
        }
    }

    /** Records of the topic the warehouse holds, per partition. */
    synchronized PartitionCounts visible() {
        return records[seen - 1];
    }

    /** System.nanoTime() when the warehouse first held {@code count} records, or -1 if it does not yet. */
    synchronized long visibleAt(PartitionCounts count) {
        // Each partition's count only grows from one observation to the next: the first that covers it.
        int low = 0;
        int high = seen;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (records[mid].covers(count)) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low == seen ? -1 : nanos[low];
    }

    /** Waits until the warehouse holds {@code count} records, at most {@code timeout}; returns whether it does. */
    synchronized boolean await(PartitionCounts count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!records[seen - 1].covers(count)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    @Override
    public void close() {
        warehouse.afterLoad(null);
    }
}
