package warehouse;

import java.util.HashMap;
import java.util.Map;

/**
 * Source positions for test changes, numbered within their transaction as the capture numbers them: a
 * transaction is identified by the last commit before it, and its changes count up from 1 in the order the
 * test makes them.
 */
public final class TestPositions {

    private final Map<Long, Long> orders = new HashMap<>();

    public SourcePosition next(long lastCommitLsn, long lsn) {
        return new SourcePosition(lastCommitLsn, lsn, orders.merge(lastCommitLsn, 1L, Long::sum));
    }
}
