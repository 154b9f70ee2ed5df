package e2e;

import static e2e.SourceSql.copyIn;
import static e2e.SourceSql.execute;
import static e2e.SourceSql.inTransaction;
import static e2e.SourceSql.update;

import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Four clients writing the matrix tables at once, each its own shape on keys of its own ('con-' and then
 * the client's name), so their transactions interleave in the WAL: COPYs, small multi-row transactions
 * that also write a table outside the publication, upserts with key updates now and then, and orders
 * with their lines, some deleted again with their lines.
 */
final class ConcurrentClients {

    /** Opens a connection to the source. */
    @FunctionalInterface
    interface Source {
        Connection connect() throws Exception;
    }

    /** One client's writes: returns the changes it made, as Debezium emits them. */
    @FunctionalInterface
    private interface Client {
        long write(Connection c) throws Exception;
    }

    private ConcurrentClients() {
    }

    /** Runs the four clients to the end, each on a connection of its own; returns the changes they made. */
    static long run(Source source) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Client> all = List.of(ConcurrentClients::copies, ConcurrentClients::smallTransactions,
                    ConcurrentClients::upsertsAndKeyUpdates, ConcurrentClients::ordersWithLines);
            List<Callable<Long>> work = all.stream().map(client -> (Callable<Long>) () -> {
                try (Connection c = source.connect()) {
                    return client.write(c);
                }
            }).toList();
            long changes = 0;
            for (Future<Long> written : clients.invokeAll(work)) {
                changes += written.get();
            }
            return changes;
        } finally {
            clients.shutdownNow();
            clients.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    private static long copies(Connection c) throws Exception {
        long changes = 0;
        for (int part = 0; part < 3; part++) {
            int from = part * 1_000 + 1;
            changes += copyIn(c, "COPY shape_item (id, qty, note) FROM STDIN WITH (FORMAT csv)",
                    IntStream.range(from, from + 1_000).mapToObj(i -> String.format(Locale.ROOT,
                            "con-copy-%04d,%d,copied concurrently %d%n", i, i, i)).collect(Collectors.joining()));
        }
        return changes;
    }

    private static long smallTransactions(Connection c) throws Exception {
        long changes = 0;
        for (int t = 0; t < 300; t++) {
            int first = t * 5;
            changes += inTransaction(c, () -> {
                long made = update(c, "INSERT INTO shape_item (id, qty, note) VALUES " + IntStream.range(first, first + 5)
                        .mapToObj(i -> String.format(Locale.ROOT, "('con-val-%04d', %d, 'small %d')", i, i, i))
                        .collect(Collectors.joining(", ")));
                made += update(c, String.format(Locale.ROOT, "UPDATE shape_item SET qty = qty + 1, note = 'small, updated'"
                        + " WHERE id = 'con-val-%04d'", first));
                // A table outside the publication, in the same transaction: the decoder leaves its changes out.
                execute(c, "INSERT INTO shape_note (note) VALUES ('transaction " + first + "')");
                return made;
            });
        }
        return changes;
    }

    private static long upsertsAndKeyUpdates(Connection c) throws Exception {
        long changes = 0;
        for (int t = 0; t < 200; t++) {
            int first = (t * 7) % 300;
            // Each row is either created or updated: one change.
            changes += update(c, "INSERT INTO shape_item (id, qty, note) SELECT 'con-ups-' || lpad(g::text, 4, '0'), g,"
                    + " 'upsert " + t + "' FROM generate_series(" + first + ", " + (first + 9) + ") g"
                    + " ON CONFLICT (id) DO UPDATE SET qty = shape_item.qty + 1, note = EXCLUDED.note");
            if (t % 20 == 19) {
                // A key update is two changes: the delete of the old key and the create of the new one.
                changes += 2 * update(c, "UPDATE shape_item SET id = 'con-key-" + t + "-' || substr(id, 9),"
                        + " note = 'key moved' WHERE id LIKE 'con-ups-%' AND qty % 3 = 0");
            }
        }
        return changes;
    }

    private static long ordersWithLines(Connection c) throws Exception {
        long changes = 0;
        for (int t = 0; t < 100; t++) {
            int order = t;
            // Every fourth transaction also deletes the order before it, and with it its 3 lines.
            changes += inTransaction(c, () -> ShapeTables.insertOrders(c, "con-o", order, order, 3)
                    + (order % 4 == 3 ? 4 * update(c, String.format(Locale.ROOT,
                    "DELETE FROM shape_order WHERE id = 'con-o%03d'", order - 1)) : 0));
        }
        return changes;
    }
}
