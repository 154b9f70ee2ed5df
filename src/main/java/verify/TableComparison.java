package verify;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import warehouse.TableId;
import warehouse.TableSchema;

/**
 * How a source table and its warehouse copy compare: row counts, order-independent checksums over
 * every column, and the keys that differ. The source is read first and only a 64-bit hash per key
 * is kept; the warehouse is then streamed against it, so neither table is ever held in memory.
 *
 * @param missing   keys in the source but not in the warehouse
 * @param extra     keys in the warehouse but not in the source
 * @param different keys in both whose rows differ in some column
 */
public record TableComparison(TableId table, long sourceRows, long warehouseRows, long sourceChecksum,
                              long warehouseChecksum, Keys missing, Keys extra, Keys different) {

    /**
     * Where and how one copy of the table is read: a connection, the name parts of the table or view that
     * holds it as its catalog holds them (database, schema and name; schema and name; or name), and the
     * database's reading.
     */
    public record Location(Connection connection, List<String> name, TableReading reading) {
        public Location {
            name = List.copyOf(name);
        }

        /** A copy in PostgreSQL or DuckDB. */
        public Location(Connection connection, List<String> name) {
            this(connection, name, TextReading.INSTANCE);
        }
    }

    /** How many keys differ in one way, and the first few of them in sorted order. */
    public record Keys(long count, List<String> listed) {
        public Keys {
            listed = List.copyOf(listed);
        }
    }

    /** Compares the two copies, listing at most {@code maxKeys} differing keys in all. */
    public static TableComparison compare(TableSchema table, Location source, Location warehouse, int maxKeys)
            throws SQLException {
        // Both copies hash json in the form the warehouse keeps it: what it cannot keep (a VARIANT drops the
        // text's whitespace) is no difference.
        SnapshotHasher hasher = new SnapshotHasher(table, warehouse.reading().jsonForm());
        Map<List<Object>, Long> sourceHashes = new HashMap<>();
        SnapshotHasher.Snapshot fromSource = hasher.hashRows(source, sourceHashes::put);

        Sample missing = new Sample(maxKeys);
        Sample extra = new Sample(maxKeys);
        Sample different = new Sample(maxKeys);
        SnapshotHasher.Snapshot fromWarehouse = hasher.hashRows(warehouse, (key, hash) -> {
            Long expected = sourceHashes.remove(key);
            if (expected == null) {
                extra.add(hasher.keyText(key));
            } else if (expected != hash) {
                different.add(hasher.keyText(key));
            }
        });
        sourceHashes.keySet().forEach(key -> missing.add(hasher.keyText(key)));

        List<List<String>> listed = shareOut(maxKeys, missing, extra, different);
        return new TableComparison(table.id(), fromSource.rows(), fromWarehouse.rows(), fromSource.checksum(),
                fromWarehouse.checksum(), missing.keys(listed.get(0)), extra.keys(listed.get(1)),
                different.keys(listed.get(2)));
    }

    public boolean matches() {
        return differingKeys() == 0 && sourceRows == warehouseRows && sourceChecksum == warehouseChecksum;
    }

    public long differingKeys() {
        return missing.count() + extra.count() + different.count();
    }

    /** One line for people, e.g. {@code public.flight_state: source 2,000 rows, warehouse 2,000 rows, checksums equal — MATCH}. */
    public String summary() {
        String counts = String.format(Locale.ROOT, "%s: source %,d rows, warehouse %,d rows, checksums %s",
                table, sourceRows, warehouseRows, sourceChecksum == warehouseChecksum ? "equal" : "differ");
        if (matches()) {
            return counts + " — MATCH";
        }
        List<String> parts = new ArrayList<>();
        describe(parts, "missing in warehouse", missing);
        describe(parts, "extra in warehouse", extra);
        describe(parts, "different", different);
        long n = differingKeys();
        return String.format(Locale.ROOT, "%s — %,d %s: %s", counts, n, n == 1 ? "key differs" : "keys differ",
                String.join("; ", parts));
    }

    private static void describe(List<String> parts, String label, Keys keys) {
        if (keys.count() == 0) {
            return;
        }
        long unlisted = keys.count() - keys.listed().size();
        String text = keys.listed().isEmpty()
                ? String.format(Locale.ROOT, "%,d keys", keys.count())
                : String.join(", ", keys.listed()) + (unlisted > 0 ? String.format(Locale.ROOT, " and %,d more", unlisted) : "");
        parts.add(label + ": " + text);
    }

    /**
     * Takes the listed keys from the three kinds in turn, so that a few changed rows are not hidden
     * behind thousands of missing ones.
     */
    private static List<List<String>> shareOut(int maxKeys, Sample... samples) {
        List<List<String>> listed = new ArrayList<>();
        List<Iterator<String>> remaining = new ArrayList<>();
        for (Sample s : samples) {
            listed.add(new ArrayList<>());
            remaining.add(s.smallest.iterator());
        }
        int budget = maxKeys;
        boolean took = true;
        while (budget > 0 && took) {
            took = false;
            for (int i = 0; i < samples.length && budget > 0; i++) {
                if (remaining.get(i).hasNext()) {
                    listed.get(i).add(remaining.get(i).next());
                    budget--;
                    took = true;
                }
            }
        }
        return listed;
    }

    /** Counts keys and keeps the smallest few, so the listing is the same whatever order rows came in. */
    private static final class Sample {
        private final int limit;
        private final TreeSet<String> smallest = new TreeSet<>();
        private long count;

        Sample(int limit) {
            this.limit = limit;
        }

        void add(String key) {
            count++;
            smallest.add(key);
            if (smallest.size() > limit) {
                smallest.pollLast();
            }
        }

        Keys keys(List<String> listed) {
            return new Keys(count, listed);
        }
    }
}
