package warehouse;

/** What one batch did to the warehouse. */
public record LoadResult(int received, int applied, int alreadyLoaded, int inserts, int updates, int deletes,
                         long millis) {

    @Override
    public String toString() {
        return applied + " changes (" + inserts + " c/r, " + updates + " u, " + deletes + " d) in " + millis + " ms"
                + (alreadyLoaded > 0 ? ", " + alreadyLoaded + " already loaded skipped" : "");
    }
}
