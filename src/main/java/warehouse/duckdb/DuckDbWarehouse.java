package warehouse.duckdb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.ChangeEvent;
import warehouse.Column;
import warehouse.JsonText;
import warehouse.LoadResult;
import warehouse.MergeSqlGenerator;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.Warehouse;

/**
 * The embedded DuckDB warehouse. One connection writes; a batch is appended to a staging table
 * with DuckDB's appender (no per-row statements), then copied to the history and merged into the
 * current state, and the batch's Kafka offsets are stored, all in one transaction.
 */
public final class DuckDbWarehouse implements Warehouse {

    private static final Logger LOG = LoggerFactory.getLogger(DuckDbWarehouse.class);
    private static final String OFFSETS = "_flightcdc_kafka_offsets";

    private final DuckDBConnection connection;
    private final MergeSqlGenerator sql = new MergeSqlGenerator(new DuckDbDialect());
    private final Map<TableId, PreparedTable> tables = new LinkedHashMap<>();
    /** Next offset to load per "topic/partition", mirrored from the offsets table. */
    private final Map<String, Long> nextOffsets = new HashMap<>();

    private DuckDbWarehouse(DuckDBConnection connection) {
        this.connection = connection;
    }

    public static DuckDbWarehouse open(Path file) throws SQLException {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (java.io.IOException e) {
            throw new SQLException("Cannot create the folder of the DuckDB warehouse " + file, e);
        }
        try {
            DuckDBConnection connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
            LOG.info("DuckDB warehouse open at {}", file.toAbsolutePath());
            return new DuckDbWarehouse(connection);
        } catch (SQLException e) {
            throw new SQLException("Cannot open the DuckDB warehouse " + file + " (is another process using it?"
                    + " DuckDB allows one writer): " + e.getMessage(), e);
        }
    }

    /** A connection for queries, sharing this database; the caller closes it. */
    public Connection newReader() throws SQLException {
        return connection.duplicate();
    }

    @Override
    public synchronized void prepare(List<TableSchema> schemas) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + OFFSETS
                    + " (topic VARCHAR, \"partition\" INTEGER, next_offset BIGINT NOT NULL, PRIMARY KEY (topic, \"partition\"))");
            for (TableSchema t : schemas) {
                TableSchema clash = tables.values().stream().map(PreparedTable::schema)
                        .filter(o -> o.id().name().equals(t.id().name()) && !o.id().equals(t.id())).findFirst().orElse(null);
                if (clash != null) {
                    throw new IllegalArgumentException("Tables " + clash.id() + " and " + t.id()
                            + " would share the warehouse table " + t.id().name() + "; capture only one of them");
                }
                s.execute(sql.createCurrentTable(t));
                s.execute(sql.createHistoryTable(t));
                s.execute(sql.createStageTable(t));
                s.execute(sql.clearStage(t));
                tables.put(t.id(), new PreparedTable(t, sql.stageTable(t), sql.clearStage(t),
                        sql.insertHistoryFromStage(t), sql.mergeFromStage(t)));
            }
            try (ResultSet rs = s.executeQuery("SELECT topic, \"partition\", next_offset FROM " + OFFSETS)) {
                while (rs.next()) {
                    nextOffsets.put(rs.getString(1) + "/" + rs.getInt(2), rs.getLong(3));
                }
            }
        }
        LOG.info("Warehouse tables ready: {}", tables.keySet());
    }

    @Override
    public synchronized LoadResult load(List<ChangeEvent> batch) throws SQLException {
        long started = System.nanoTime();
        Map<TableId, List<ChangeEvent>> byTable = new LinkedHashMap<>();
        Map<String, Long> batchOffsets = new LinkedHashMap<>();
        int skipped = 0;
        int inserts = 0;
        int updates = 0;
        int deletes = 0;
        long newestCommitMs = 0;
        for (ChangeEvent e : batch) {
            String partition = e.topic() + "/" + e.partition();
            if (e.offset() < nextOffsets.getOrDefault(partition, 0L)) {
                skipped++;
                continue;
            }
            if (!tables.containsKey(e.table())) {
                throw new IllegalStateException("Change for table " + e.table() + " which the warehouse was not"
                        + " prepared for (topic " + e.topic() + ", offset " + e.offset() + ")");
            }
            byTable.computeIfAbsent(e.table(), t -> new ArrayList<>()).add(e);
            batchOffsets.merge(partition, e.offset() + 1, Math::max);
            newestCommitMs = Math.max(newestCommitMs, e.sourceTsMs());
            switch (e.operation()) {
                case CREATE, READ -> inserts++;
                case UPDATE -> updates++;
                case DELETE -> deletes++;
            }
        }
        if (!byTable.isEmpty()) {
            applyInOneTransaction(byTable, batchOffsets);
            nextOffsets.putAll(batchOffsets);
        }
        return new LoadResult(batch.size(), batch.size() - skipped, skipped, inserts, updates, deletes,
                (System.nanoTime() - started) / 1_000_000, System.currentTimeMillis() - newestCommitMs);
    }

    private void applyInOneTransaction(Map<TableId, List<ChangeEvent>> byTable, Map<String, Long> offsets)
            throws SQLException {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            for (Map.Entry<TableId, List<ChangeEvent>> entry : byTable.entrySet()) {
                PreparedTable table = tables.get(entry.getKey());
                // A batch that failed after staging may have left rows behind: start from an empty stage.
                s.execute(table.clearStage());
                stage(table, entry.getValue());
                s.execute(table.insertHistory());
                s.execute(table.merge());
                s.execute(table.clearStage());
            }
            storeOffsets(offsets);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private void stage(PreparedTable table, List<ChangeEvent> changes) throws SQLException {
        try (DuckDBAppender appender = connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, table.stage())) {
            for (ChangeEvent e : changes) {
                appender.beginRow()
                        .append(e.operation().code())
                        .append(e.lsn())
                        .append(e.txId())
                        .append(e.sourceTsMs())
                        .append(e.topic())
                        .append(e.partition())
                        .append(e.offset());
                for (Column c : table.schema().columns()) {
                    appender.append(JsonText.of(e.row().get(c.name())));
                }
                appender.endRow();
            }
        }
    }

    private void storeOffsets(Map<String, Long> offsets) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT OR REPLACE INTO " + OFFSETS + " VALUES (?, ?, ?)")) {
            for (Map.Entry<String, Long> o : offsets.entrySet()) {
                int slash = o.getKey().lastIndexOf('/');
                ps.setString(1, o.getKey().substring(0, slash));
                ps.setInt(2, Integer.parseInt(o.getKey().substring(slash + 1)));
                ps.setLong(3, o.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** A captured table and the statements that load it, generated once. */
    private record PreparedTable(TableSchema schema, String stage, String clearStage, String insertHistory, String merge) {
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
        LOG.info("DuckDB warehouse closed");
    }
}
