package e2e;

import embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import source.SourceDatabase;

/**
 * What a run that was interrupted again and again left in the warehouse's history, next to the changes a trigger in the
 * source recorded (ChangeAudit): changes missing, changes beyond the source's, changes loaded twice, and source
 * transactions loaded over several warehouse transactions. All four are empty when every change arrived exactly once.
 */
record HistoryVerdict(Map<String, Long> missing, Map<String, Long> extra, long duplicatedPositions,
                      Map<Long, Long> loadedInParts) {

    /** Migrates the source, makes the second table ChangeGenerator writes, and records every change to {@code tables}. */
    static void prepare(EmbeddedPostgresServer source, List<ChangeAudit.Table> tables) throws Exception {
        try (SourceDatabase schema = SourceDatabase.of(source);
             Connection c = schema.dataSource().getConnection()) {
            schema.migrate();
            try (Statement s = c.createStatement()) {
                s.execute(ChangeGenerator.NOTE_TABLE);
            }
            for (ChangeAudit.Table table : tables) {
                ChangeAudit.install(c, table);
            }
        }
    }

    /** Reads the stopped pipeline's DuckDB file. */
    static HistoryVerdict of(EmbeddedPostgresServer source, Path duckdb, List<ChangeAudit.Table> tables) throws SQLException {
        Properties readOnly = new Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        try (Connection warehouse = DriverManager.getConnection("jdbc:duckdb:" + duckdb.toAbsolutePath(), readOnly)) {
            return of(source, warehouse, tables);
        }
    }

    /** Reads the history through {@code warehouse}, a connection to any warehouse the loader writes with MERGE. */
    static HistoryVerdict of(EmbeddedPostgresServer source, Connection warehouse, List<ChangeAudit.Table> tables)
            throws SQLException {
        try (Connection pg = source.connect();
             Statement s = warehouse.createStatement()) {
            Map<String, Long> recorded = new HashMap<>();
            Map<String, Long> loaded = new HashMap<>();
            long duplicated = 0;
            for (ChangeAudit.Table table : tables) {
                recorded.putAll(ChangeAudit.recorded(pg, table, ""));
                loaded.putAll(ChangeAudit.loaded(warehouse, table, ""));
                try (ResultSet rs = s.executeQuery("""
                        SELECT count(*) FROM (SELECT _lsn, _op, icao24 FROM %s_history
                                              GROUP BY _lsn, _op, icao24 HAVING count(*) > 1) AS twice""".formatted(table.name()))) {
                    rs.next();
                    duplicated += rs.getLong(1);
                }
            }
            return new HistoryVerdict(ChangeAudit.difference(recorded, loaded), ChangeAudit.difference(loaded, recorded),
                    duplicated, ChangeAudit.transactionsLoadedInParts(warehouse, tables));
        }
    }
}
