package warehouse;

/**
 * What one batch did to the warehouse. {@code lagMillis} is how long ago the newest change of
 * the batch was committed in the source, measured when the warehouse transaction committed.
 */
public record LoadResult(int received, int applied, int alreadyLoaded, int inserts, int updates, int deletes,
                         long millis, long lagMillis) {

    @Override
    public String toString() {
        return applied + " changes (" + inserts + " c/r, " + updates + " u, " + deletes + " d) in " + millis + " ms"
                + (applied > 0 ? ", " + lagMillis + " ms after the source commit" : "")
                + (alreadyLoaded > 0 ? ", " + alreadyLoaded + " already loaded skipped" : "");
    }
}
