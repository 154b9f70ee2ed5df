package warehouse.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import warehouse.DerivedViews;
import warehouse.Warehouse;
import warehouse.jdbc.ParallelWriters;

/**
 * A PostgreSQL database as the warehouse: loaded by the shared MERGE as Snowflake's JDBC MERGE mode is, each batch
 * staged with COPY into a temporary table of the writer's session. Several writers in one process, and several loader
 * processes of one consumer group, load it at once: each writes only the partitions Kafka gave it, and the progress
 * table's fence (MergeSqlGenerator#advanceProgress) rolls back a batch of a partition another loader has moved on.
 */
public final class PostgresWarehouse {

    /** MERGE came with PostgreSQL 15. */
    static final int OLDEST_MAJOR_VERSION = 15;

    private PostgresWarehouse() {
    }

    /**
     * Opens {@code writers} connections to {@code jdbcUrl} as {@code user}, which make the tables and {@code views}
     * when they are prepared. A server older than PostgreSQL 15 is refused.
     */
    public static Warehouse open(String jdbcUrl, String user, String password, DerivedViews views, int writers)
            throws SQLException {
        PostgresDialect dialect = new PostgresDialect();
        return ParallelWriters.of(writers, () -> connect(jdbcUrl, user, password), dialect,
                sql -> new PostgresCopyStager(sql, dialect), views);
    }

    private static Connection connect(String jdbcUrl, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        // Names the loader in pg_stat_activity, beside what the URL sets.
        properties.setProperty("ApplicationName", "flightcdc-loader");
        Connection connection = DriverManager.getConnection(jdbcUrl, properties);
        int major = connection.getMetaData().getDatabaseMajorVersion();
        if (major < OLDEST_MAJOR_VERSION) {
            connection.close();
            throw new SQLException("The warehouse's PostgreSQL is version " + major + "; the loader needs "
                    + OLDEST_MAJOR_VERSION + " or later, for MERGE. Fix: load a newer server");
        }
        return connection;
    }
}
