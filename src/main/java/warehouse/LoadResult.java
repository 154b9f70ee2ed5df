package warehouse;

import java.util.List;

/**
 * What one batch did to the warehouse. {@code alreadyLoaded} records Kafka delivered again,
 * {@code replayed} changes Debezium emitted again after a restart, {@code unexplained} changes skipped as
 * already applied that no restart explains, {@code deadLettered} records set aside in the dead-letter table. {@code lagMillis} is how long ago the newest applied change was
 * committed in the source, measured when the warehouse transaction committed.
 */
public record LoadResult(int received, int applied, int alreadyLoaded, int replayed, List<ChangeEvent> unexplained,
                         int deadLettered, int inserts, int updates, int deletes, long millis, long lagMillis) {

    /** The result of loading {@code batch} as {@code plan} said, {@code applied} being the changes now visible. */
    public static LoadResult of(ChangeBatch batch, LoadPlan plan, List<ChangeEvent> applied, int deadLettered,
                                long startedNanos) {
        int inserts = 0;
        int updates = 0;
        int deletes = 0;
        long newestCommitMs = 0;
        for (ChangeEvent e : applied) {
            newestCommitMs = Math.max(newestCommitMs, e.sourceTsMs());
            switch (e.operation()) {
                case CREATE, READ -> inserts++;
                case UPDATE -> updates++;
                case DELETE, TRUNCATE, SNAPSHOT_START -> deletes++;
            }
        }
        return new LoadResult(batch.size(), applied.size(), plan.alreadyLoaded(), plan.replayed(), plan.unexplained(),
                deadLettered,
                inserts, updates, deletes, (System.nanoTime() - startedNanos) / 1_000_000,
                System.currentTimeMillis() - newestCommitMs);
    }

    @Override
    public String toString() {
        return applied + " changes (" + inserts + " c/r, " + updates + " u, " + deletes + " d) in " + millis + " ms"
                + (applied > 0 ? ", " + lagMillis + " ms after the source commit" : "")
                + (alreadyLoaded > 0 ? ", " + alreadyLoaded + " already loaded skipped" : "")
                + (replayed > 0 ? ", " + replayed + " replayed by the capture skipped" : "")
                + (!unexplained.isEmpty() ? ", " + unexplained.size() + " skipped as already applied, unexplained" : "")
                + (deadLettered > 0 ? ", " + deadLettered + " sent to the dead-letter table" : "");
    }
}
