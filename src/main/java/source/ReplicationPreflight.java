package source;

import app.StartupException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import javax.sql.DataSource;
import warehouse.TableId;

/**
 * Checks, before Debezium starts, what would otherwise surface as a Debezium stack trace, a capture
 * that silently misses changes, or a pipeline that resumes past lost data. Each failure is a
 * {@link StartupException} whose one line says what is wrong and how to fix it.
 */
public final class ReplicationPreflight {

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

    private static final String PUBLICATION = "SELECT puballtables FROM pg_publication WHERE pubname = ?";

    private static final String PUBLISHED_TABLES = "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?";

    private final DataSource dataSource;
    private final String slot;
    private final String publication;
    private final List<TableId> capturedTables;
    private final Path debeziumOffsets;
    private final Supplier<OptionalLong> storedLastCommitLsn;

    /**
     * @param storedLastCommitLsn the last commit LSN in Debezium's stored position, which it confirmed to the slot
     *     at most (empty before the first)
     */
    public ReplicationPreflight(DataSource dataSource, String slot, String publication, List<TableId> capturedTables,
                                Path debeziumOffsets, Supplier<OptionalLong> storedLastCommitLsn) {
        this.dataSource = dataSource;
        this.slot = slot;
        this.publication = publication;
        this.capturedTables = capturedTables;
        this.debeziumOffsets = debeziumOffsets;
        this.storedLastCommitLsn = storedLastCommitLsn;
    }

    /** Throws a {@link StartupException} naming the first problem found and its fix. */
    public void check() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            checkWalLevel(c);
            checkRole(c);
            checkSlot(c);
            checkPublication(c);
        }
    }

    /** The checks of the replication slot alone: that Debezium can resume from it where it stopped. */
    public void checkSlot() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            checkSlot(c);
        }
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
            if (hasRunBefore()) {
                throw new StartupException("Replication slot '" + slot + "' does not exist, but Debezium's position in "
                        + debeziumOffsets + " shows the pipeline ran before: changes made since the slot went missing"
                        + " may be lost. Fix: rebuild the warehouse from a new snapshot (README \"When it stops\"; the"
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
        OptionalLong stored = storedLastCommitLsn.get();
        if (confirmed != null && stored.isPresent() && lsn(confirmed) > stored.getAsLong()) {
            throw new StartupException("Replication slot '" + slot + "' is confirmed up to " + confirmed + ", past "
                    + lsnText(stored.getAsLong()) + " where the pipeline stopped: it was dropped and created again, or"
                    + " something else read from it, and the changes in between cannot be read again. Fix: rebuild the"
                    + " warehouse from a new snapshot (README \"When it stops\"; the source is left as it is).");
        }
        String invalidation = row.path("invalidation_reason").asText(null);
        if (invalidation != null || "lost".equals(row.path("wal_status").asText(null))) {
            throw new StartupException("Replication slot '" + slot + "' was invalidated by PostgreSQL ("
                    + (invalidation == null ? "wal_status lost" : invalidation) + "): WAL it had not delivered yet is"
                    + " gone, so changes were lost. Fix: SELECT pg_drop_replication_slot('" + slot + "'); then rebuild"
                    + " the warehouse from a new snapshot (README \"When it stops\"; the source is left as it is).");
        }
    }

    private void checkPublication(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PUBLICATION)) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return; // Debezium creates it for the captured tables
                }
                if (rs.getBoolean(1)) {
                    throw new StartupException("Publication '" + publication + "' publishes all tables, but Debezium"
                            + " keeps a publication of the captured tables only and will not alter it. Fix: DROP"
                            + " PUBLICATION " + publication + "; so it is recreated, or set flightcdc.source.publication"
                            + " to another name.");
                }
            }
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
    }

    private boolean hasRunBefore() {
        try {
            return Files.exists(debeziumOffsets) && Files.size(debeziumOffsets) > 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
