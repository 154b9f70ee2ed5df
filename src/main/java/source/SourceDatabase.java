package source;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import embedded.EmbeddedPostgresServer;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.PipelineSettings;
import settings.Secret;
import settings.StartupException;

/**
 * The operational PostgreSQL: a small connection pool for the poll, the schema migrations from
 * {@code sql/}, and the host/port/database that Debezium needs (it takes no JDBC URL).
 */
public final class SourceDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SourceDatabase.class);

    /** The pipeline's own schema unless flightcdc.source.schema says otherwise. */
    public static final String DEFAULT_SCHEMA = "flightcdc";
    private static final String PIPELINE_HISTORY = "flyway_schema_history";
    private static final String POLL_HISTORY = "poll_schema_history";

    private final String jdbcUrl;
    private final HikariDataSource dataSource;

    public SourceDatabase(String jdbcUrl, String user, String password) {
        this(jdbcUrl, user, password, Map.of());
    }

    private SourceDatabase(String jdbcUrl, String user, String password, Map<String, String> driverProperties) {
        this.jdbcUrl = jdbcUrl;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        driverProperties.forEach(config::addDataSourceProperty);
        config.setMaximumPoolSize(4);
        config.setPoolName("source");
        config.setConnectionTimeout(10_000);
        // Start even when PostgreSQL is briefly unreachable; the poll's error handler reports it.
        config.setInitializationFailTimeout(-1);
        this.dataSource = new HikariDataSource(config);
    }

    /** The embedded server's postgres database, as its superuser with the password it generated. */
    public static SourceDatabase of(EmbeddedPostgresServer server) {
        return new SourceDatabase(server.jdbcUrl(), server.user(), server.password());
    }

    /** An external source, as configured: its URL, user and password, and TLS. */
    public static SourceDatabase of(PipelineSettings.Source source) {
        return new SourceDatabase(source.jdbcUrl().orElseThrow(), source.user(), source.password().value(),
                source.tls().jdbcProperties());
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** A connection of its own, outside the pool, with the pool's settings: for work that holds it long. */
    public Connection newConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, connectionProperties());
    }

    /**
     * A connection for the replication protocol's commands, such as making a slot with an exported snapshot. In the
     * simple query mode, the only one that protocol takes.
     */
    public Connection newReplicationConnection() throws SQLException {
        Properties properties = connectionProperties();
        PGProperty.REPLICATION.set(properties, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    private Properties connectionProperties() {
        Properties properties = new Properties();
        properties.putAll(dataSource.getDataSourceProperties());
        PGProperty.USER.set(properties, dataSource.getUsername());
        PGProperty.PASSWORD.set(properties, dataSource.getPassword());
        return properties;
    }

    /** The default layout: the pipeline's schema {@value #DEFAULT_SCHEMA} and the poll's tables (tests, bench). */
    public void migrate() {
        migrate(DEFAULT_SCHEMA, true);
    }

    /**
     * Brings the pipeline's own schema ({@code schema}: the heartbeat table and the migration histories) to the newest
     * version in sql/pipeline, and, when {@code pollTables}, the poll's tables in public to the newest in sql/poll.
     * Nothing else in the database is touched: a database with tables and a Flyway history of its own keeps them.
     * Idempotent.
     */
    public void migrate(String schema, boolean pollTables) {
        try {
            SchemaPrivileges.check(dataSource, schema, pollTables);
            LegacyLayout.adopt(dataSource, schema);
            int applied = migrate(schema, PIPELINE_HISTORY, "classpath:db/pipeline");
            if (pollTables) {
                applied += migrate(schema, POLL_HISTORY, "classpath:db/poll");
            }
            LOG.info("Source schema {} up to date{} ({} migration{} applied now)", schema,
                    pollTables ? ", and the poll's tables in public" : "", applied, applied == 1 ? "" : "s");
        } catch (FlywayException | SQLException e) {
            // Flyway's message may name the URL too.
            throw new StartupException("Cannot prepare the source schema in " + Secret.redactUrls(jdbcUrl) + ": "
                    + Secret.redactUrls(String.valueOf(e.getMessage())) + tlsFailure(e)
                    .map(tls -> " (" + tls + ": is the server's certificate signed by the authority in"
                            + " flightcdc.source.sslrootcert, and made for the host in flightcdc.source.jdbc-url?"
                            + " flightcdc.source.sslmode says how much is checked)")
                    .orElse(" (is PostgreSQL running and flightcdc.source.jdbc-url / user / password right?)"), e);
        }
    }

    private int migrate(String schema, String historyTable, String location) {
        return Flyway.configure()
                .dataSource(dataSource)
                .schemas(schema)
                .createSchemas(true)
                .table(historyTable)
                .locations(location)
                // The schema holds the other history, or the objects an earlier version made: the migrations make
                // only what is missing, so they run over them from the start.
                .baselineOnMigrate(true)
                .baselineVersion("0")
                // Over what an earlier version made, CREATE ... IF NOT EXISTS notices that the table is there: expected.
                .initSql("SET client_min_messages = warning")
                .load()
                .migrate()
                .migrationsExecuted;
    }

    /**
     * What the JDBC driver said of TLS, when that is why it could not connect: it reports a refused certificate as an
     * "SSL error", which the pool and Flyway wrap in messages of their own.
     */
    private static Optional<String> tlsFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (String.valueOf(cause.getMessage()).startsWith("SSL error")) {
                return Optional.of(cause.getMessage());
            }
        }
        return Optional.empty();
    }

    public String host() {
        return uri().getHost();
    }

    public int port() {
        int port = uri().getPort();
        return port == -1 ? 5432 : port;
    }

    public String database() {
        String path = uri().getPath();
        return path == null || path.length() <= 1 ? "postgres" : path.substring(1);
    }

    private URI uri() {
        // jdbc:postgresql://host:port/db?params -> a URI Java can take apart
        return URI.create(jdbcUrl.substring("jdbc:".length()));
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
