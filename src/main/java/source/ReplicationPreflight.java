package source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.StartupException;
import warehouse.TableId;

/**
 * Checks, before Debezium starts, what would otherwise surface as a Debezium stack trace, a capture
 * that silently misses changes, or a pipeline that resumes past lost data. Each failure is a
 * {@link StartupException} whose one line says what is wrong and how to fix it.
 */
public final class ReplicationPreflight {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationPreflight.class);

    private static final ObjectMapper JSON = new ObjectMapper();

    // RDS grants replication through membership of rds_replication rather than the role attribute.
    private static final String ROLE = """
            SELECT current_user, quote_ident(current_user), rolreplication OR rolsuper
                   OR EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = 'rds_replication'
                              AND pg_has_role(current_user, r.oid, 'member'))
            FROM pg_roles WHERE rolname = current_user
            """;

    // The whole row as JSON: wal_status (PostgreSQL 13) and invalidation_reason (17) are simply
    // absent on servers too old to have them.
    private static final String SLOT = """
            SELECT current_database(), (SELECT to_jsonb(s) FROM pg_replication_slots s WHERE slot_name = ?)
            """;

    private static final String PUBLICATION = """
            SELECT puballtables, pubviaroot, pg_has_role(current_user, pubowner, 'USAGE')
            FROM pg_publication WHERE pubname = ?
            """;

    /** Whether the user may read a captured table, and its schema; a table that does not exist is another check's. */
    private static final String READABLE = """
            SELECT n.oid IS NULL OR has_schema_privilege(n.oid, 'USAGE'),
                   c.oid IS NULL OR has_table_privilege(c.oid, 'SELECT')
            FROM (SELECT 1) one
            LEFT JOIN pg_namespace n ON n.nspname = ?
            LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = ?
            """;

    /** Whether the user owns a table: PostgreS"""L lets only the owner add it to a publication. */
    private static final String OWNED = """
            SELECT c.oid IS NULL OR pg_has_role(current_user, c.relowner, 'USAGE')
            FROM (SELECT 1) one LEFT JOIN pg_class c ON c.oid = to_regclass(format('%I.%I', ?, ?))
            """;

    private static final String PARTITIONED_TABLES = """
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'p'
            """;

    private static final String SLOT_USER = """
            SELECT a.pid, coalesce(nullif(a.application_name, ''), a.usename), coalesce(a.client_addr::text, 'the local socket')
            FROM pg_replication_slots s JOIN pg_stat_activity a ON a.pid = s.active_pid
            WHERE s.slot_name = ?
            """;

    private static final String PUBLISHED_TABLES = "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?";

    /** The partitions of a captured partitioned table whose replica identity is not the table's (none for a plain table). */
    private static final String PARTITIONS_OF_OTHER_IDENTITY = """
            SELECT t.relid::text, l.relreplident, p.relreplident
            FROM pg_class p
            CROSS JOIN pg_partition_tree(p.oid) t
            JOIN pg_class l ON l.oid = t.relid
            WHERE p.oid = to_regclass(format('%I.%I', ?, ?)) AND t.isleaf AND l.relreplident <> p.relreplident
            ORDER BY 1
            """;

    private final DataSource dataSource;
    private final String slot;
    private final String publication;
    private final List<TableId> capturedTables;
    private final Optional<TableId> heartbeatTable;
    private final StoredPosition storedPosition;

    /**
     * @param heartbeatTable the table Debezium's heartbeats write, streamed beside the captured ones; empty when off
     * @param storedPosition Debezium's position, where it is kept
     */
    public ReplicationPreflight(DataSource dataSource, String slot, String publication, List<TableId> capturedTables,
                                Optional<TableId> heartbeatTable, StoredPosition storedPosition) {
        this.dataSource = dataSource;
        this.slot = slot;
        this.publication = publication;
        this.capturedTables = capturedTables;
        this.heartbeatTable = heartbeatTable;
        this.storedPosition = storedPosition;
    }

    /** Throws a {@link StartupException} naming the first problem found and its fix. */
    public void check() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            checkWalLevel(c);
            checkRole(c);
            checkCapturedTablesReadable(c);
            checkSlot(c);
            checkPublication(c);
            warnOfPartitionsWithAnotherReplicaIdentity(c);
        }
    }

    /**
     * Waits until no other client streams from the slot, as another pipeline on the same slot would: the two would
     * confirm each other's positions and each miss changes. A crashed run's connection is let go by PostgreSQL
     * within moments, so a busy slot is asked again for up to {@code patience} before the start is refused.
     */
    public void awaitSlotFree(Duration patience) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SLOT_USER)) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new StartupException("Replication slot '" + slot + "' is in use by another client (process "
                                + rs.getInt(1) + ", " + rs.getString(2) + " from " + rs.getString(3) + "): another"
                                + " pipeline, or pg_recvlogical, reads from it. Fix: stop it, or give this pipeline a slot"
                                + " of its own with flightcdc.source.slot.");
                    }
                }
            }
            Thread.sleep(500);
        }
    }

    /** The checks of the replication slot alone: that Debezium can resume from it where it stopped. */
    public void checkSlot() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            checkSlot(c);
        }
    }

    /**
     * ALTER TABLE ... REPLICA IDENTITY on a partitioned table does not reach its partitions, and what an update or
     * delete logs of the old row is the partition's choice: with DEFAULT, a delete carries only the key, and so does
     * the history's row for it. Nothing is lost from the current state, so this is a warning, not a refusal.
     */
    private void warnOfPartitionsWithAnotherReplicaIdentity(Connection c) throws SQLException {
        for (TableId table : capturedTables) {
            try (PreparedStatement ps = c.prepareStatement(PARTITIONS_OF_OTHER_IDENTITY)) {
                ps.setString(1, table.schema());
                ps.setString(2, table.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String partition = rs.getString(1);
                        String wanted = replicaIdentity(rs.getString(3));
                        LOG.warn("Partition {} of {} has REPLICA IDENTITY {}, but {} has {}: PostgreSQL does not pass a"
                                        + " partitioned table's replica identity to its partitions, and the partition's decides"
                                        + " what its deletes carry of the old row into the history.{}", partition, table,
                                replicaIdentity(rs.getString(2)), table, wanted,
                                wanted.equals("USING INDEX") ? "" : " Fix: ALTER TABLE " + partition + " REPLICA IDENTITY "
                                        + wanted + ";");
                    }
                }
            }
        }
    }

    private static String replicaIdentity(String code) {
        return switch (code) {
            case "d" -> "DEFAULT";
            case "f" -> "FULL";
            case "n" -> "NOTHING";
            default -> "USING INDEX";
        };
    }

    private static void checkWalLevel(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_level")) {
            rs.next();
            String level = rs.getString(1);
            if (!"logical".equals(level)) {
                throw new StartupException("PostgreSQL runs with wal_level = " + level + ", but change data capture needs"
                        + " logical decoding. Fix: ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL.");
            }
        }
    }

    private static void checkRole(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(ROLE)) {
            rs.next();
            if (!rs.getBoolean(3)) {
                throw new StartupException("Role " + rs.getString(1) + " may not stream changes: it has neither"
                        + " REPLICATION nor SUPERUSER. Fix, as a superuser: ALTER ROLE " + rs.getString(2)
                        + " REPLICATION;");
            }
        }
    }

    private void checkSlot(Connection c) throws SQLException {
        String database;
        Optional<JsonNode> found;
        try (PreparedStatement ps = c.prepareStatement(SLOT)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                database = rs.getString(1);
                found = Optional.ofNullable(rs.getString(2)).map(ReplicationPreflight::parse);
            }
        }
        if (found.isEmpty()) {
            if (storedPosition.exists().getAsBoolean()) {
                throw new StartupException("Replication slot '" + slot + "' does not exist, but Debezium's position in "
                        + storedPosition.where() + " shows the pipeline ran before: changes made since the slot went missing"
                        + " may be lost. Fix: rebuild the warehouse from a new snapshot (docs/operations.md, \"When it stops\"; the"
                        + " source is left as it is), or set flightcdc.source.slot to the slot this pipeline used.");
            }
            return; // a first run: Debezium creates the slot
        }
        JsonNode row = found.get();
        // Someone else's slot is never ours to drop: say so before saying anything about its state.
        String dropIfUnused = " Fix: set flightcdc.source.slot to another name, or drop the slot if nothing uses it:"
                + " SELECT pg_drop_replication_slot('" + slot + "');";
        String slotDatabase = row.path("database").asText(null);
        String plugin = row.path("plugin").asText(null);
        if (plugin == null) {
            throw new StartupException("Replication slot '" + slot + "' is a physical slot, but the pipeline needs a"
                    + " logical slot decoded with pgoutput." + dropIfUnused);
        }
        if (!database.equals(slotDatabase)) {
            throw new StartupException("Replication slot '" + slot + "' belongs to database '" + slotDatabase
                    + "', but the pipeline captures database '" + database + "' (slot names are server-wide)."
                    + dropIfUnused);
        }
        if (!"pgoutput".equals(plugin)) {
            throw new StartupException("Replication slot '" + slot + "' decodes with " + plugin
                    + ", but the pipeline reads pgoutput." + dropIfUnused);
        }
        // Debezium confirms to the slot only what it stored: a slot further on was read by someone else, or dropped
        // and created anew while the pipeline ran, and PostgreSQL would start after changes it never sent.
        String confirmed = row.path("confirmed_flush_lsn").asText(null);
        OptionalLong stored = storedPosition.lastCommitLsn().get();
        if (confirmed != null && stored.isPresent() && lsn(confirmed) > stored.getAsLong()) {
            throw new StartupException("Replication slot '" + slot + "' is confirmed up to " + confirmed + ", past "
                    + lsnText(stored.getAsLong()) + " where the pipeline stopped: it was dropped and created again, or"
                    + " something else read from it, and the changes in between cannot be read again. Fix: rebuild the"
                    + " warehouse from a new snapshot (docs/operations.md, \"When it stops\"; the source is left as it is).");
        }
        String invalidation = row.path("invalidation_reason").asText(null);
        if (invalidation != null || "lost".equals(row.path("wal_status").asText(null))) {
            throw new StartupException("Replication slot '" + slot + "' was invalidated by PostgreSQL ("
                    + (invalidation == null ? "wal_status lost" : invalidation) + "): WAL it had not delivered yet is"
                    + " gone, so changes were lost. Fix: SELECT pg_drop_replication_slot('" + slot + "'); then rebuild"
                    + " the warehouse from a new snapshot (docs/operations.md, \"When it stops\"; the source is left as it is).");
        }
    }

    private void checkPublication(Connection c) throws SQLException {
        boolean viaRoot;
        boolean ownsPublication;
        try (PreparedStatement ps = c.prepareStatement(PUBLICATION)) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    checkPublicationCanBeCreated(c);
                    return; // Debezium creates it for the streamed tables
                }
                if (rs.getBoolean(1)) {
                    throw new StartupException("Publication '" + publication + "' publishes all tables, but Debezium"
                            + " keeps a publication of the captured tables only and will not alter it. Fix: DROP"
                            + " PUBLICATION " + publication + "; so it is recreated, or set flightcdc.source.publication"
                            + " to another name.");
                }
                viaRoot = rs.getBoolean(2);
                ownsPublication = rs.getBoolean(3);
            }
        }
        if (!viaRoot) {
            checkNoPartitionedTable(c);
        }
        // Debezium would add a missing table on its own, but stop instead: changes made to the table
        // until now were not captured, and a publication someone else made may be shared. (The
        // heartbeat table carries no data, so Debezium may add that one without asking.)
        Set<TableId> published = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(PUBLISHED_TABLES)) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    published.add(new TableId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        List<TableId> missing = capturedTables.stream().filter(t -> !published.contains(t)).toList();
        if (!missing.isEmpty()) {
            String tables = String.join(", ", missing.stream().map(TableId::toString).toList());
            throw new StartupException("Publication '" + publication + "' does not publish " + tables
                    + ", which the pipeline captures. Fix: ALTER PUBLICATION " + publication
                    + " ADD TABLE " + tables + "; or DROP PUBLICATION " + publication + "; so it is recreated.");
        }
        if (heartbeatTable.isPresent() && !published.contains(heartbeatTable.get())) {
            addHeartbeatTable(c, ownsPublication);
        }
    }

    /**
     * Debezium would rewrite the publication's whole table list to add the heartbeat table, which PostgreSQL lets only
     * the owner of every table in it do: the pipeline's user, which owns the heartbeat table, adds that one alone.
     */
    private void addHeartbeatTable(Connection c, boolean ownsPublication) throws SQLException {
        TableId heartbeat = heartbeatTable.orElseThrow();
        if (!ownsPublication) {
            throw new StartupException("Publication '" + publication + "' does not publish the heartbeat table " + heartbeat
                    + ", and role " + currentUser(c) + " may not add it: the publication is not its own. Fix, as a"
                    + " superuser: ALTER PUBLICATION " + publication + " OWNER TO " + quotedCurrentUser(c) + ";"
                    + " (or ALTER PUBLICATION " + publication + " ADD TABLE " + heartbeat + ";)");
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER PUBLICATION " + publication + " ADD TABLE " + heartbeat);
        }
        LOG.info("Added the heartbeat table {} to publication '{}'", heartbeat, publication);
    }

    /** Debezium creates the publication on a first start: PostgreSQL lets only the owner of every table do that. */
    private void checkPublicationCanBeCreated(Connection c) throws SQLException {
        List<String> lacking = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT has_database_privilege(current_database(), 'CREATE'), current_database()")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                lacking.add("CREATE on database " + rs.getString(2));
            }
        }
        List<TableId> streamed = new ArrayList<>(capturedTables);
        heartbeatTable.ifPresent(streamed::add);
        List<String> notOwned = new ArrayList<>();
        for (TableId table : streamed) {
            try (PreparedStatement ps = c.prepareStatement(OWNED)) {
                ps.setString(1, table.schema());
                ps.setString(2, table.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        notOwned.add(table.toString());
                    }
                }
            }
        }
        if (!notOwned.isEmpty()) {
            lacking.add("ownership of " + String.join(", ", notOwned) + " (PostgreSQL lets only a table's owner publish it)");
        }
        if (!lacking.isEmpty()) {
            throw new StartupException("Publication '" + publication + "' does not exist, and role " + currentUser(c)
                    + " may not create it: it lacks " + String.join(" and ", lacking) + ". Fix, as a superuser:"
                    + " CREATE PUBLICATION " + publication + " FOR TABLE " + String.join(", ",
                    capturedTables.stream().map(TableId::toString).toList()) + " WITH (publish_via_partition_root = true);"
                    + " ALTER PUBLICATION " + publication + " OWNER TO " + quotedCurrentUser(c) + ";"
                    + " (sql/roles/source-role.sql does it; the pipeline adds its heartbeat table itself)");
        }
    }

    /**
     * Debezium's first snapshot reads every captured table; without SELECT it fails in the middle of its work with
     * PostgreSQL's "permission denied".
     */
    private void checkCapturedTablesReadable(Connection c) throws SQLException {
        for (TableId table : capturedTables) {
            try (PreparedStatement ps = c.prepareStatement(READABLE)) {
                ps.setString(1, table.schema());
                ps.setString(2, table.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new StartupException("Role " + currentUser(c) + " may not use schema " + table.schema()
                                + ", which holds the captured table " + table + ". Fix, as its owner: GRANT USAGE ON SCHEMA "
                                + table.schema() + " TO " + quotedCurrentUser(c) + ";");
                    }
                    if (!rs.getBoolean(2)) {
                        throw new StartupException("Role " + currentUser(c) + " may not read " + table + ", which it captures"
                                + " (the first snapshot reads it). Fix, as its owner: GRANT SELECT ON " + table + " TO "
                                + quotedCurrentUser(c) + ";");
                    }
                }
            }
        }
    }

    private static String currentUser(Connection c) throws SQLException {
        return single(c, "SELECT current_user");
    }

    private static String quotedCurrentUser(Connection c) throws SQLException {
        return single(c, "SELECT quote_ident(current_user)");
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * A publication without publish_via_partition_root names a partitioned table's changes after the partition
     * that holds the row, and the capture, which names the partitioned table, drops them all. Debezium creates
     * its publication with the option but does not add it to one that exists (made by hand, or by a release
     * before partitioned tables were captured).
     */
    private void checkNoPartitionedTable(Connection c) throws SQLException {
        Set<TableId> partitioned = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(PARTITIONED_TABLES)) {
            while (rs.next()) {
                partitioned.add(new TableId(rs.getString(1), rs.getString(2)));
            }
        }
        List<TableId> affected = capturedTables.stream().filter(partitioned::contains).toList();
        if (!affected.isEmpty()) {
            throw new StartupException("Publication '" + publication + "' publishes the changes of the partitioned table "
                    + String.join(", ", affected.stream().map(TableId::toString).toList()) + " under the names of its"
                    + " partitions, so the pipeline would not see them. Fix: ALTER PUBLICATION " + publication
                    + " SET (publish_via_partition_root = true);");
        }
    }

    /** An LSN as PostgreSQL writes it, {@code 16/B374D848}: the high and low 32 bits in hex. */
    static long lsn(String text) {
        int slash = text.indexOf('/');
        return Long.parseLong(text.substring(0, slash), 16) << 32 | Long.parseLong(text.substring(slash + 1), 16);
    }

    static String lsnText(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
