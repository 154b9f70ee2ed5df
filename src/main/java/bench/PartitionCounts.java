package bench;

import java.util.Arrays;

/**
 * Kafka records of the benchmark's topic, per partition (0 to n-1): how many the writer's changes became in each,
 * or how many of each the warehouse holds. With several partitions a transaction is visible once the warehouse holds
 * every partition's records through it, which no total tells.
 */
final class PartitionCounts {

    private final long[] counts;

    private PartitionCounts(long[] counts) {
        this.counts = counts;
    }

    static PartitionCounts of(long... counts) {
        return new PartitionCounts(counts.clone());
    }

    long total() {
        return Arrays.stream(counts).sum();
    }

    /** Whether there are at least as many records as {@code other} in every partition. */
    boolean covers(PartitionCounts other) {
        for (int p = 0; p < other.counts.length; p++) {
            if (count(p) < other.counts[p]) {
                return false;
            }
        }
        return true;
    }

    /** In each partition, the larger count. */
    PartitionCounts max(PartitionCounts other) {
        long[] max = Arrays.copyOf(counts, Math.max(counts.length, other.counts.length));
        for (int p = 0; p < other.counts.length; p++) {
            max[p] = Math.max(max[p], other.counts[p]);
        }
        return new PartitionCounts(max);
    }

    private long count(int partition) {
        return partition < counts.length ? counts[partition] : 0;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PartitionCounts other)) {
            return false;
        }
        for (int p = 0; p < Math.max(counts.length, other.counts.length); p++) {
            if (count(p) != other.count(p)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(total());
    }

    @Override
    public String toString() {
        return Arrays.toString(counts);
    }
}
