package bench;

/** Rates and durations as the results show them. */
public final class Throughput {

    private Throughput() {
    }

    public static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1e3;
    }

    /** Whole items per second; 0 when no time passed, which only a clock too coarse to tell could report. */
    public static long perSecond(long items, long nanos) {
        return nanos <= 0 ? 0 : Math.round(items * 1e9 / nanos);
    }
}
