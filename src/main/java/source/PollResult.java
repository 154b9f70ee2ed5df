package source;

/** What one poll did to the source table. */
public record PollResult(int received, long inserted, long updated, long deleted, int rejected) {

    public long unchanged() {
        return received - inserted - updated;
    }

    @Override
    public String toString() {
        return received + " aircraft: " + inserted + " inserted, " + updated + " updated, " + unchanged()
                + " unchanged, " + deleted + " deleted as stale, " + rejected + " rejected";
    }
}
