package source;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import embedded.EmbeddedPostgresServer;
import java.net.URI;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.Secret;
import settings.StartupException;

/**
 * The operational PostgreSQL: a small connection pool for the poll, the schema migrations from
 * {@code sql/}, and the host/port/database that Debezium needs (it takes no JDBC URL).
 */
public final class SourceDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SourceDatabase.class);

    private final String jdbcUrl;
    private final HikariDataSource dataSource;

    public SourceDatabase(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
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

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** Brings the source schema to the newest version in sql/ (idempotent). */
    public void migrate() {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load();
        int applied;
        try {
            applied = flyway.migrate().migrationsExecuted;
        } catch (FlywayException e) {
            // Flyway's message may name the URL too.
            throw new StartupException("Cannot prepare the source schema in " + Secret.redactUrls(jdbcUrl) + ": "
                    + Secret.redactUrls(String.valueOf(e.getMessage()))
                    + " (is PostgreSQL running and flightcdc.source.jdbc-url / user / password right?)", e);
        }
        LOG.info("Source schema at version {} ({} migration{} applied now)",
                flyway.info().current().getVersion(), applied, applied == 1 ? "" : "s");
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
