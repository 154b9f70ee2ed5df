package warehouse;

import java.util.List;

/** A batch of Kafka records for the warehouse: the change events, and the records that were not one. */
public record ChangeBatch(List<ChangeEvent> changes, List<DeadLetter> unreadable) {

    public ChangeBatch {
        changes = List.copyOf(changes);
        unreadable = List.copyOf(unreadable);
    }

    public static ChangeBatch of(List<ChangeEvent> changes) {
        return new ChangeBatch(changes, List.of());
    }

    public int size() {
        return changes.size() + unreadable.size();
    }
}
