package source;

import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the preflight needs to know of Debezium's stored position, wherever it is kept.
 *
 * @param where where it is kept, for messages
 * @param exists whether a position was ever stored: the pipeline has run before
 * @param lastCommitLsn the last commit LSN in it, which Debezium confirmed to the slot at most (empty before the first)
 */
public record StoredPosition(String where, BooleanSupplier exists, Supplier<OptionalLong> lastCommitLsn) {
}
