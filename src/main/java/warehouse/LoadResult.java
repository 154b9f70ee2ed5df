package warehouse;

/**
 * What one batch did to the warehouse. {@code alreadyLoaded} records Kafka delivered again,
 * {@code replayed} changes Debezium emitted again after a restart, {@code deadLettered} records set
 * aside in the dead-letter table. {@code lagMillis} is how long ago the newest applied change was
 * committed in the source, measured when the warehouse transaction committed.
 */
public record LoadResult(int received, int applied, int alreadyLoaded, int replayed, int deadLettered,
                         int inserts, int updates, int deletes, long millis, long lagMillis) {

    @Override
    public String toString() {
        return applied + " changes (" + inserts + " c/r, " + updates + " u, " + deletes + " d) in " + millis + " ms"
                + (applied > 0 ? ", " + lagMillis + " ms after the source commit" : "")
                + (alreadyLoaded > 0 ? ", " + alreadyLoaded + " already loaded skipped" : "")
                + (replayed > 0 ? ", " + replayed + " replayed by the capture skipped" : "")
                + (deadLettered > 0 ? ", " + deadLettered + " sent to the dead-letter table" : "");
    }
}
