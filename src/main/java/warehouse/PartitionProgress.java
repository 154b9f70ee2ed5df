package warehouse;

/**
 * How far the warehouse has loaded one Kafka partition: the next offset to read, the newest source position
 * applied from it (null until a streamed change was applied), and, while the capture is emitting again
 * changes already applied, the position of the last one skipped (null otherwise). All are stored in the same
 * transaction as the data they describe.
 *
 * @param newestKnown false when the warehouse knows how far it loaded but not the newest position (a Snowpipe
 *     Streaming channel opened again): a null {@code newest} then says nothing
 */
public record PartitionProgress(long nextOffset, SourcePosition newest, SourcePosition replayedUpTo, boolean newestKnown) {

    public static final PartitionProgress NONE = new PartitionProgress(0, null, null);

    public PartitionProgress(long nextOffset, SourcePosition newest, SourcePosition replayedUpTo) {
        this(nextOffset, newest, replayedUpTo, true);
    }

    /** Loaded up to {@code nextOffset}, with the newest source position applied unknown. */
    public static PartitionProgress newestUnknown(long nextOffset) {
        return new PartitionProgress(nextOffset, null, null, false);
    }

    /** This progress once {@code change}, read from this partition, is applied. */
    public PartitionProgress after(ChangeEvent change) {
        SourcePosition position = change.streamed() && change.position().isAfter(newest) ? change.position() : newest;
        return new PartitionProgress(Math.max(nextOffset, change.offset() + 1), position, null);
    }

    /** This progress once {@code change}, a change already applied that the capture emitted again, is skipped. */
    public PartitionProgress skipped(ChangeEvent change) {
        return new PartitionProgress(Math.max(nextOffset, change.offset() + 1), newest, change.position(), newestKnown);
    }

    /** This progress once the record at {@code offset} is accounted for without being applied. */
    public PartitionProgress past(long offset) {
        return new PartitionProgress(Math.max(nextOffset, offset + 1), newest, replayedUpTo, newestKnown);
    }

    public boolean loaded(long offset) {
        return offset < nextOffset;
    }

    /**
     * Whether a streamed change below the next offset cannot be one this warehouse accounted for: every change
     * below it was applied, skipped as applied or set aside, and each of those left the newest position at or
     * after its own. A change newer than that, or any streamed change while none was applied, was never seen.
     */
    public boolean neverSeen(ChangeEvent change) {
        return newestKnown && change.streamed() && loaded(change.offset()) && change.position().isAfter(newest);
    }

    /**
     * Whether a streamed change is provably one already applied: at or before the newest position applied
     * (see {@link SourcePosition#isAtOrBefore}). Debezium emits such changes again after a restart.
     */
    public boolean replayed(ChangeEvent change) {
        return change.streamed() && change.position().isAtOrBefore(newest);
    }

    /**
     * Whether a replayed change is what a restart of the capture produces: Debezium resumes at a transaction's
     * start, so its changes emitted again begin with the first change of their table in a transaction and go
     * on in order (a second restart starts over). Anything else at or before the newest position is not
     * explained by a restart.
     */
    public boolean explainedReplay(ChangeEvent change) {
        return change.position().startsTransaction()
                || replayedUpTo != null && change.position().isAfter(replayedUpTo);
    }
}
