package source;

/**
 * What one poll did to the source table, and how many whole responses were refused as malformed
 * since the poll before it (those never reach {@code write}, so they are told here).
 */
public record PollResult(int received, long inserted, long updated, long deleted, int rejected,
                         long malformedResponses) {

    /** A poll with no malformed response since the one before. */
    public PollResult(int received, long inserted, long updated, long deleted, int rejected) {
        this(received, inserted, updated, deleted, rejected, 0);
    }

    public long unchanged() {
        return received - inserted - updated;
    }

    @Override
    public String toString() {
        String poll = received + " aircraft: " + inserted + " inserted, " + updated + " updated, " + unchanged()
                + " unchanged, " + deleted + " deleted as stale, " + rejected + " rejected";
        return malformedResponses == 0 ? poll
                : poll + "; " + malformedResponses + " malformed response(s) refused since the previous poll";
    }
}
