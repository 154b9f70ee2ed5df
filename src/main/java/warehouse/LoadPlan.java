package warehouse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a batch will do to a warehouse, decided before any SQL runs and the same for every dialect:
 * which changes to apply, which records Kafka delivered again (below the partition's next offset), which
 * changes Debezium emitted again after a restart (at or before the partition's newest source position,
 * see {@link SourcePosition}), which go to the dead-letter table, and the progress to store with the data.
 * A change is skipped only when it is provably one already applied; one skipped that a restart of the
 * capture does not explain is listed apart, for the load log to warn about.
 */
public final class LoadPlan {

    private final List<ChangeEvent> changes = new ArrayList<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final Map<KafkaPartition, PartitionProgress> progress = new HashMap<>();
    private int alreadyLoaded;
    private int replayed;
    private final List<ChangeEvent> unexplained = new ArrayList<>();

    private LoadPlan() {
    }

    /**
     * @param loaded how far each partition was loaded before this batch
     * @param known whether the warehouse has tables for a source table
     */
    public static LoadPlan of(ChangeBatch batch, Map<KafkaPartition, PartitionProgress> loaded, Predicate<TableId> known) {
        LoadPlan plan = new LoadPlan();
        for (DeadLetter unreadable : batch.unreadable()) {
            KafkaPartition partition = new KafkaPartition(unreadable.topic(), unreadable.partition());
            PartitionProgress before = plan.progress(partition, loaded);
            if (loadedBefore(partition, loaded).loaded(unreadable.offset())) {
                plan.alreadyLoaded++;
            } else {
                plan.deadLetters.add(unreadable);
                plan.progress.put(partition, before.past(unreadable.offset()));
            }
        }
        for (ChangeEvent change : batch.changes()) {
            KafkaPartition partition = new KafkaPartition(change.topic(), change.partition());
            PartitionProgress before = plan.progress(partition, loaded);
            if (loadedBefore(partition, loaded).loaded(change.offset())) {
                refuseUnseen(change, loadedBefore(partition, loaded));
                plan.alreadyLoaded++;
                continue;
            }
            if (before.replayed(change)) {
                if (before.explainedReplay(change)) {
                    plan.replayed++;
                } else {
                    plan.unexplained.add(change);
                }
                plan.progress.put(partition, before.skipped(change));
                continue;
            }
            if (known.test(change.table())) {
                plan.changes.add(change);
            } else {
                plan.deadLetters.add(DeadLetter.of(change, DeadLetter.Cause.NO_TABLE, "the warehouse has no tables for " + change.table()
                        + " (add it to flightcdc.source.tables)"));
            }
            plan.progress.put(partition, before.after(change));
        }
        // Tombstones and the like carry nothing to load, but the warehouse has read past them too.
        batch.nextOffsets().forEach((partition, next) -> {
            PartitionProgress before = plan.progress(partition, loaded);
            if (!before.loaded(next - 1)) {
                plan.progress.put(partition, before.past(next - 1));
            }
        });
        return plan;
    }

    /**
     * A change below the partition's next offset that this warehouse never saw (see PartitionProgress#neverSeen):
     * the topic was deleted and created again, or the broker lost its data, and its offsets mean other records now.
     * Taken for loaded, it would be lost.
     */
    private static void refuseUnseen(ChangeEvent change, PartitionProgress loaded) {
        if (loaded.neverSeen(change)) {
            throw new LoadRefusedException("Kafka delivered " + change.topic() + "/" + change.partition() + " offset "
                    + change.offset() + ", below the next offset the warehouse stored (" + loaded.nextOffset() + "), but"
                    + " with a source position newer than any it applied (" + change.position() + ", newest applied "
                    + loaded.newest() + "): the topic is not the one the warehouse was loaded from (it was deleted and"
                    + " created again, or the broker lost its data). Nothing of this batch was loaded. Rebuild the"
                    + " warehouse from a fresh snapshot of the source, as docs/operations.md, \"When it stops\", describes; the source"
                    + " is left as it is.");
        }
    }

    /** The progress after {@code changes} alone, for loading part of a batch in a transaction of its own. */
    public static Map<KafkaPartition, PartitionProgress> progressAfter(List<ChangeEvent> changes,
                                                                       Map<KafkaPartition, PartitionProgress> loaded) {
        Map<KafkaPartition, PartitionProgress> progress = new HashMap<>();
        for (ChangeEvent change : changes) {
            KafkaPartition partition = new KafkaPartition(change.topic(), change.partition());
            progress.put(partition, progress.getOrDefault(partition, loaded.getOrDefault(partition, PartitionProgress.NONE))
                    .after(change));
        }
        return progress;
    }

    /**
     * Whether a record was loaded is asked of the progress before the batch: the batch's own progress
     * already covers its unreadable records, which come apart from, and may follow, its changes.
     */
    private static PartitionProgress loadedBefore(KafkaPartition partition, Map<KafkaPartition, PartitionProgress> loaded) {
        return loaded.getOrDefault(partition, PartitionProgress.NONE);
    }

    private PartitionProgress progress(KafkaPartition partition, Map<KafkaPartition, PartitionProgress> loaded) {
        return progress.getOrDefault(partition, loaded.getOrDefault(partition, PartitionProgress.NONE));
    }

    /** The changes to apply, in the order Kafka delivered them. */
    public List<ChangeEvent> changes() {
        return changes;
    }

    public List<DeadLetter> deadLetters() {
        return deadLetters;
    }

    /** The progress of every partition this batch moved. */
    public Map<KafkaPartition, PartitionProgress> progress() {
        return progress;
    }

    public int alreadyLoaded() {
        return alreadyLoaded;
    }

    /** Changes skipped as Debezium's emitting them again after a restart. */
    public int replayed() {
        return replayed;
    }

    /** Changes skipped as already applied in a way no restart of the capture explains. */
    public List<ChangeEvent> unexplained() {
        return unexplained;
    }
}
