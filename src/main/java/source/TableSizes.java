package source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import warehouse.TableId;

/**
 * How many rows the captured tables hold, for progress reports. Uses the planner's own estimate
 * (rows per page from the last ANALYZE times the pages the table has now), which costs nothing on
 * any size of table; a table never analysed yet, typically one just loaded, is counted instead. A
 * partitioned table holds no rows itself: its partitions are summed.
 */
public final class TableSizes {

    /**
     * The table itself, or the partitions that hold a partitioned table's rows, at any depth. (pg_partition_tree
     * lists nothing for a table that is not part of a partition tree.)
     */
    private static final String STATISTICS = """
            SELECT c.oid::regclass::text AS leaf, c.reltuples, c.relpages,
                   pg_relation_size(c.oid) / current_setting('block_size')::int AS pages
            FROM pg_class c
            WHERE c.relkind <> 'p'
              AND (c.oid = format('%I.%I', ?, ?)::regclass
                   OR c.oid IN (SELECT relid FROM pg_partition_tree(format('%I.%I', ?, ?)::regclass) WHERE isleaf))
            """;
    /** A count is a full scan: bounded, so a huge unanalysed table cannot hold up the capture for long. */
    private static final int COUNT_TIMEOUT_SECONDS = 10;

    private final DataSource dataSource;

    public TableSizes(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public long estimateRows(List<TableId> tables) throws SQLException {
        long rows = 0;
        try (Connection c = dataSource.getConnection()) {
            for (TableId table : tables) {
                rows += estimateRows(c, table);
            }
        }
        return rows;
    }

    private static long estimateRows(Connection c, TableId table) throws SQLException {
        long rows = 0;
        List<String> unanalysed = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(STATISTICS)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            ps.setString(3, table.schema());
            ps.setString(4, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double tuples = rs.getDouble("reltuples");
                    long analysedPages = rs.getLong("relpages");
                    long pages = rs.getLong("pages");
                    if (pages == 0) {
                        continue;
                    }
                    if (tuples >= 0 && analysedPages > 0) {
                        rows += Math.round(tuples / analysedPages * pages);
                    } else {
                        // regclass's text: schema-qualified and quoted as needed.
                        unanalysed.add(rs.getString("leaf"));
                    }
                }
            }
        }
        for (String leaf : unanalysed) {
            try (Statement s = c.createStatement()) {
                s.setQueryTimeout(COUNT_TIMEOUT_SECONDS);
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + leaf)) {
                    rs.next();
                    rows += rs.getLong(1);
                }
            }
        }
        return rows;
    }
}
