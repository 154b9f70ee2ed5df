package warehouse.snowflake;

import java.sql.SQLException;
import warehouse.DerivedViews;
import warehouse.MergeSqlGenerator;
import warehouse.jdbc.BatchInsertStager;
import warehouse.jdbc.MergeWarehouse;

/**
 * Snowflake in JDBC MERGE mode: each batch is staged in a temporary table with batched INSERTs, merged
 * with the shared MERGE, and stored with its Kafka offsets, in one transaction, the same way as DuckDB.
 */
public final class SnowflakeMergeWarehouse {

    /**
     * The driver's CLIENT_STAGE_ARRAY_BINDING_THRESHOLD (65,280 by default): a JDBC batch with more binds
     * is uploaded to a stage the driver creates with CREATE TEMPORARY STAGE, and Snowflake commits an open
     * transaction before any DDL. Staying below it keeps a load in one transaction.
     */
    static final int MAX_BINDS_PER_BATCH = 65_000;

    private SnowflakeMergeWarehouse() {
    }

    /**
     * A warehouse writing through a connection from {@code connector}, which it then owns and closes, and
     * creating {@code views} over its tables when it prepares them. The connection's session holds the
     * temporary staging tables: a new session (after the last one ended) makes them again.
     */
    public static MergeWarehouse open(MergeWarehouse.Connector connector, DerivedViews views) throws SQLException {
        SnowflakeDialect dialect = new SnowflakeDialect();
        return new MergeWarehouse(connector, dialect, new BatchInsertStager(new MergeSqlGenerator(dialect), MAX_BINDS_PER_BATCH),
                views);
    }
}
