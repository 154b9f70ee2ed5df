package bench;

/**
 * The share of each kind of change in a generated workload, in percent. A key update changes a row's
 * primary key, which Debezium carries as a delete of the old key and a create of the new one.
 */
public record ChangeMix(int insertPercent, int updatePercent, int deletePercent, int keyUpdatePercent) {

    /** The benchmark's mix: a table of live aircraft mostly moving, a few appearing and disappearing. */
    public static final ChangeMix BENCHMARK = new ChangeMix(10, 85, 5, 0);

    public ChangeMix {
        if (insertPercent < 0 || updatePercent < 0 || deletePercent < 0 || keyUpdatePercent < 0
                || insertPercent + updatePercent + deletePercent + keyUpdatePercent != 100) {
            throw new IllegalArgumentException("A change mix needs shares of 0 or more that add up to 100, got "
                    + insertPercent + "/" + updatePercent + "/" + deletePercent + "/" + keyUpdatePercent);
        }
    }
}
