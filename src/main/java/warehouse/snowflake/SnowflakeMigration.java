package warehouse.snowflake;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.SnowflakeSettings;
import settings.StartupException;

/**
 * Brings a Snowflake account to what a loader needs: the database and schema, then the versioned DDL
 * under snowflake/ (common, then the mode's own) through Flyway, then the loader's role granted to its
 * user. Every step may run again: Flyway applies each migration once, and the SQL itself only creates
 * what is missing, so objects made by hand beforehand are left as they are.
 *
 * <p>Runs as flightcdc.snowflake.role, which must be allowed to create what the migrations create (the
 * loader's role and grants included); the loader itself runs later with the role made here.
 */
public final class SnowflakeMigration {

    private static final Logger LOG = LoggerFactory.getLogger(SnowflakeMigration.class);
    /** Snowflake's unquoted identifiers: anything else names its object exactly, so it is quoted. */
    private static final String UNQUOTED_IDENTIFIER = "[A-Za-z_][A-Za-z0-9_$]*";

    /** Which loader the account is prepared for; its own migrations are in snowflake/{@code folder}. */
    public enum Mode {
        STREAMING, MERGE;

        public String folder() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final SnowflakeConnections connections;
    private final Mode mode;

    public SnowflakeMigration(SnowflakeConnections connections, Mode mode) {
        this.connections = connections;
        this.mode = mode;
    }

    /**
     * What Flyway is told, apart from where to connect: the migrations of {@code mode} with the settings
     * as placeholders, the history table in the configured schema.
     *
     * <p>A schema that already holds objects but no Flyway history (made by hand, or by an earlier loader)
     * is taken as version 0, so every migration runs on it; they only create what is missing.
     */
    public static FluentConfiguration configuration(SnowflakeSettings settings, Mode mode) {
        return Flyway.configure(SnowflakeMigration.class.getClassLoader())
                .schemas(settings.schema())
                .locations("classpath:snowflake/common", "classpath:snowflake/" + mode.folder())
                .failOnMissingLocations(true)
                .placeholders(MigrationPlaceholder.values(settings))
                .baselineOnMigrate(true)
                .baselineVersion("0");
    }

    public void run() {
        SnowflakeSettings s = connections.settings();
        LOG.info("Migrating Snowflake {} for the {} loader as {} with role {}", s.url(), mode.folder(), s.user(), s.role());
        createDatabaseAndSchema(s);
        migrate(s);
        s.loaderUser().ifPresent(user -> grantLoaderRole(s, user));
        LOG.info("Snowflake {}.{} is ready for the {} loader", s.database(), s.schema(), mode.folder());
    }

    /** Flyway keeps its history in the schema, so both must exist before it starts; it cannot make a database. */
    private void createDatabaseAndSchema(SnowflakeSettings s) {
        try (Connection c = connect(); Statement statement = c.createStatement()) {
            execute(statement, "CREATE DATABASE IF NOT EXISTS " + s.database());
            execute(statement, "CREATE SCHEMA IF NOT EXISTS " + s.database() + "." + s.schema());
        } catch (SQLException e) {
            throw new StartupException(e.getMessage() + privilegeHint(s), e);
        }
    }

    private void migrate(SnowflakeSettings s) {
        MigrateResult result;
        try {
            result = configuration(s, mode).dataSource(new SnowflakeDataSource(connections)).load().migrate();
        } catch (FlywayException e) {
            throw new StartupException("Migrating " + s.database() + "." + s.schema() + " failed: " + e.getMessage().strip()
                    + privilegeHint(s), e);
        }
        List<MigrateOutput> applied = result.getSuccessfulMigrations();
        for (MigrateOutput m : applied) {
            boolean repeatable = m.version == null || m.version.isEmpty();
            LOG.info("Applied migration {} {} ({} ms)", repeatable ? "R" : "V" + m.version, m.description, m.executionTime);
        }
        if (applied.isEmpty()) {
            LOG.info("Nothing to migrate: {}.{} already has every migration of snowflake/common and snowflake/{}",
                    s.database(), s.schema(), mode.folder());
        }
    }

    private void grantLoaderRole(SnowflakeSettings s, String user) {
        try (Connection c = connect(); Statement statement = c.createStatement()) {
            execute(statement, "GRANT ROLE " + s.loaderRole() + " TO USER " + identifier(user));
        } catch (SQLException e) {
            throw new StartupException("Cannot grant role " + s.loaderRole() + " to user " + user
                    + " (flightcdc.snowflake.loader-user): " + e.getMessage() + privilegeHint(s), e);
        }
    }

    private Connection connect() {
        try {
            return connections.openJdbc();
        } catch (SQLException e) {
            throw new StartupException(e.getMessage().strip() + " (check flightcdc.snowflake.account, .url, .user and"
                    + " the key pair, and that this machine reaches the account)", e);
        }
    }

    /** Logs the statement and what Snowflake answered, e.g. "CDC already exists, statement succeeded". */
    private static void execute(Statement statement, String sql) throws SQLException {
        String answer = "done";
        if (statement.execute(sql)) {
            try (ResultSet rs = statement.getResultSet()) {
                if (rs.next()) {
                    answer = rs.getString(1);
                }
            }
        }
        LOG.info("{}: {}", sql, answer);
    }

    /** A user made with a quoted name (an e-mail address, say) keeps it exactly; others are folded to upper case. */
    static String identifier(String name) {
        return name.matches(UNQUOTED_IDENTIFIER) ? name : '"' + name.replace("\"", "\"\"") + '"';
    }

    private static String privilegeHint(SnowflakeSettings s) {
        return " (migrate runs as flightcdc.snowflake.role " + s.role() + ", which must be allowed to create the database,"
                + " the schema and its objects, the role " + s.loaderRole() + ", and grant it usage of warehouse "
                + s.warehouse() + ")";
    }
}
