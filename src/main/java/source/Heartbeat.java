package source;

import java.util.List;
import java.util.stream.Stream;
import warehouse.TableId;

/**
 * Debezium's heartbeat, which keeps the replication slot moving while the captured tables are idle.
 *
 * <p>Debezium can confirm a WAL position to PostgreSQL only when a change reaches it. With pgoutput,
 * PostgreSQL (15+) sends nothing at all for transactions on tables outside the publication, so while
 * other tables or databases write, the slot's confirmed position stands still and every WAL segment
 * after it is kept. A heartbeat interval alone does not help (it re-sends the old position), and
 * neither does a heartbeat query on a table outside the publication. What works is a heartbeat write
 * that the publication carries: Debezium runs {@link #ACTION_QUERY} on every heartbeat, so the
 * heartbeat table must be streamed too. With {@code publicationAutocreateMode=filtered} Debezium
 * rewrites the publication to exactly the tables it streams on every start, so the heartbeat table
 * is added to those tables rather than to the publication by hand. Its changes and Debezium's
 * heartbeat records are not row changes of the pipeline: the capture route does not publish them.
 */
public final class Heartbeat {

    /** The heartbeat table in the pipeline's own schema, created by sql/pipeline/V1__heartbeat.sql. */
    public static TableId table(String schema) {
        return new TableId(schema, "heartbeat");
    }

    /** What Debezium runs on each heartbeat: a write to the heartbeat table, carried by the publication. */
    public static String actionQuery(String schema) {
        return "INSERT INTO " + table(schema) + " (id, beat_at) VALUES (1, now())"
                + " ON CONFLICT (id) DO UPDATE SET beat_at = EXCLUDED.beat_at";
    }

    private Heartbeat() {
    }

    /** The tables Debezium streams: the captured ones and, while heartbeats are on, the heartbeat table. */
    public static List<TableId> streamedTables(List<TableId> captured, int heartbeatIntervalMs, String schema) {
        return heartbeatIntervalMs == 0 ? captured : Stream.concat(captured.stream(), Stream.of(table(schema))).distinct().toList();
    }
}
