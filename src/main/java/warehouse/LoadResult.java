package warehouse;

import java.util.List;

/**
 * What one batch did to the warehouse. {@code alreadyLoaded} records Kafka delivered again,
 * {@code replayed} changes Debezium emitted again after a restart, {@code unexplained} changes skipped as
 * already applied that no restart explains, {@code deadLetters} records set aside in the dead-letter table.
 * {@code visible} are the changes applied, visible from {@code visibleAtMs} (when the warehouse transaction
 * committed); {@code lagMillis} is how long before that the newest of them was committed in the source.
 */
public record LoadResult(int received, List<ChangeEvent> visible, int alreadyLoaded, int replayed,
                         List<ChangeEvent> unexplained, List<DeadLetter> deadLetters, int inserts, int updates,
                         int deletes, long millis, long visibleAtMs, long lagMillis) {

    /** The result of loading {@code batch} as {@code plan} said, {@code applied} being the changes now visible. */
    public static LoadResult of(ChangeBatch batch, LoadPlan plan, List<ChangeEvent> applied, List<DeadLetter> deadLetters,
                                long startedNanos) {
        int inserts = 0;
        int updates = 0;
        int deletes = 0;
        long newestCommitMs = 0;
        for (ChangeEvent e : applied) {
            newestCommitMs = Math.max(newestCommitMs, e.sourceTsMs());
            if (e.truncateCopy()) {
                continue;
            }
            switch (e.operation()) {
                case CREATE, READ -> inserts++;
                case UPDATE -> updates++;
                case DELETE, TRUNCATE, SNAPSHOT_START -> deletes++;
            }
        }
        long now = System.currentTimeMillis();
        return new LoadResult(batch.size(), List.copyOf(applied), plan.alreadyLoaded(), plan.replayed(),
                plan.unexplained(), List.copyOf(deadLetters), inserts, updates, deletes,
                (System.nanoTime() - startedNanos) / 1_000_000, now, now - newestCommitMs);
    }

    /** How many changes were applied. */
    public int applied() {
        return visible.size();
    }

    public int deadLettered() {
        return deadLetters.size();
    }

    @Override
    public String toString() {
        return applied() + " changes (" + inserts + " c/r, " + updates + " u, " + deletes + " d) in " + millis + " ms"
                + (applied() > 0 ? ", " + lagMillis + " ms after the source commit" : "")
                + (alreadyLoaded > 0 ? ", " + alreadyLoaded + " already loaded skipped" : "")
                + (replayed > 0 ? ", " + replayed + " replayed by the capture skipped" : "")
                + (!unexplained.isEmpty() ? ", " + unexplained.size() + " skipped as already applied, unexplained" : "")
                + (deadLettered() > 0 ? ", " + deadLettered() + " sent to the dead-letter table" : "");
    }
}
