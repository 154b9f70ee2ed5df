package warehouse.snowflake;

import java.sql.Connection;
import warehouse.MergeSqlGenerator;
import warehouse.jdbc.BatchInsertStager;
import warehouse.jdbc.MergeWarehouse;

/**
 * Snowflake in JDBC MERGE mode: each batch is staged in a temporary table with batched INSERTs, merged
 * with the shared MERGE, and stored with its Kafka offsets, in one transaction, the same way as DuckDB.
 *
 * <p>Not yet run against an account. One thing to check there: the first time in a session that a batch
 * has more binds than {@code CLIENT_STAGE_ARRAY_BINDING_THRESHOLD}, the Snowflake driver creates its bind
 * stage with {@code CREATE TEMPORARY STAGE}, and Snowflake commits an open transaction before any DDL,
 * so that one load transaction could be committed in two parts.
 */
public final class SnowflakeMergeWarehouse {

    private SnowflakeMergeWarehouse() {
    }

    /**
     * A warehouse writing through {@code connection}, which it then owns and closes. The connection's
     * session holds the temporary staging tables, so it must be the same one from prepare to close.
     */
    public static MergeWarehouse open(Connection connection) {
        SnowflakeDialect dialect = new SnowflakeDialect();
        return new MergeWarehouse(connection, dialect, new BatchInsertStager(new MergeSqlGenerator(dialect)));
    }
}
