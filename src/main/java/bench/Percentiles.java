package bench;

import java.util.Arrays;

/**
 * Nearest-rank percentiles of a sample: the p-th is the smallest value with at least p% of the sample at
 * or below it, always one of the values measured (no interpolation between them).
 */
public record Percentiles(long p50, long p95, long p99, long max) {

    public static Percentiles of(long[] sample) {
        if (sample.length == 0) {
            throw new IllegalArgumentException("No percentiles of an empty sample");
        }
        long[] sorted = sample.clone();
        Arrays.sort(sorted);
        return new Percentiles(rank(sorted, 50), rank(sorted, 95), rank(sorted, 99), sorted[sorted.length - 1]);
    }

    static long rank(long[] sorted, int percent) {
        // ceil(percent/100 * n) in integers, at least the first
        int rank = (int) Math.max(1, (percent * (long) sorted.length + 99) / 100);
        return sorted[rank - 1];
    }
}
