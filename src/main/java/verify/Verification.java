package verify;

import embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import settings.PipelineSettings;
import settings.StartupException;
import source.SourceCatalog;
import source.SourceDatabase;
import warehouse.TableId;
import warehouse.TableSchema;

/**
 * Compares every captured table in the source PostgreSQL with its current state in the warehouse
 * {@code flightcdc.warehouse.type} names: the DuckDB file, Snowflake's table (MERGE mode) or live view
 * (streaming mode) over JDBC, or a PostgreSQL warehouse's table. The same comparison, checksums and report for
 * each. Whatever keeps it from comparing is a {@link StartupException} whose message says what to do.
 */
public final class Verification {

    private static final Logger LOG = LoggerFactory.getLogger(Verification.class);

    private Verification() {
    }

    /**
     * Compares every captured table of {@code settings}, listing at most {@code maxKeys} differing keys
     * per table. Starts the embedded PostgreSQL from the data folder for as long as it runs when no
     * external one is configured; the pipeline must be stopped, as it holds that and the DuckDB file.
     */
    public static List<TableComparison> compareAll(PipelineSettings settings, int maxKeys) throws SQLException, IOException {
        PipelineSettings.Source sourceSettings = settings.source();
        Path postgresData = settings.dataDir().resolve("postgres");
        if (sourceSettings.embedded() && !Files.isDirectory(postgresData)) {
            throw new StartupException("No embedded PostgreSQL data in " + postgresData
                    + ": run the pipeline first with this --data-dir, or pass --postgres-url");
        }
        // The warehouse first: when the pipeline still runs, DuckDB's lock says so before a server is started. But a
        // PostgreSQL warehouse last, as it may be a database of the embedded server, which runs only once started here.
        boolean warehouseFirst = settings.warehouse().type() != PipelineSettings.Warehouse.Type.POSTGRES;
        try (VerifiedWarehouse openedFirst = warehouseFirst ? open(settings) : null;
             EmbeddedPostgresServer embedded = sourceSettings.embedded()
                     ? EmbeddedPostgresServer.start(postgresData, sourceSettings.embeddedPort()) : null;
             SourceDatabase source = embedded != null ? SourceDatabase.of(embedded) : SourceDatabase.of(sourceSettings);
             Connection sourceConnection = connect(source, embedded != null ? embedded.user() : sourceSettings.user());
             VerifiedWarehouse openedLast = warehouseFirst ? null : open(settings)) {
            VerifiedWarehouse warehouse = warehouseFirst ? openedFirst : openedLast;
            LOG.info("Comparing source {}:{}/{} with warehouse {}", source.host(), source.port(), source.database(),
                    warehouse.name());
            SourceCatalog catalog = new SourceCatalog(source.dataSource());
            List<TableComparison> comparisons = new ArrayList<>();
            for (TableId id : sourceSettings.tables()) {
                comparisons.add(compare(describe(catalog, id), sourceConnection, warehouse, maxKeys));
            }
            return comparisons;
        }
    }

    private static VerifiedWarehouse open(PipelineSettings settings) {
        PipelineSettings.Warehouse.Type type = settings.warehouse().type();
        return switch (type) {
            case SNOWFLAKE_MERGE, SNOWFLAKE_STREAMING -> SnowflakeSchema.open(settings.snowflake().orElseThrow(), type);
            case POSTGRES -> PostgresDatabase.open(settings.warehouse().postgres().orElseThrow());
            case DUCKDB -> DuckDbFile.open(settings.warehouse().duckdbPath());
        };
    }

    /** Compares one table of the source, read through {@code source}, with its current state in {@code warehouse}. */
    static TableComparison compare(TableSchema table, Connection source, VerifiedWarehouse warehouse, int maxKeys) {
        TableId id = table.id();
        CurrentState current = warehouse.currentState(table);
        try {
            if (!current.exists()) {
                throw new StartupException("The warehouse " + warehouse.name() + " has no " + current.kind() + " "
                        + current.name() + " for " + id + ": " + warehouse.whenMissing(id));
            }
            return TableComparison.compare(table, new TableComparison.Location(source, List.of(id.schema(), id.name())),
                    current.location(), maxKeys);
        } catch (SQLException | IllegalArgumentException e) {
            // A value that does not read as its type (an interval's text edited by hand, say) stops the comparison
            // as an SQL error does. DuckDB's messages go on with suggestions and a caret under the SQL: the first
            // line says it.
            throw new StartupException("Cannot compare " + id + " with the warehouse " + current.kind() + " "
                    + current.name() + " in " + warehouse.name() + ": "
                    + String.valueOf(e.getMessage()).strip().lines().findFirst().orElse(""), e);
        }
    }

    private static Connection connect(SourceDatabase source, String user) {
        try {
            return source.dataSource().getConnection();
        } catch (SQLException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            // Host, port and database only: a JDBC URL may carry a password.
            throw new StartupException("Cannot connect to the source PostgreSQL " + source.host() + ":" + source.port()
                    + "/" + source.database() + " as " + user + ": " + cause.getMessage()
                    + " (check --postgres-url, --postgres-user and FLIGHTCDC_SOURCE_PASSWORD)", e);
        }
    }

    private static TableSchema describe(SourceCatalog catalog, TableId id) {
        try {
            return catalog.describe(id);
        } catch (SQLException | IllegalArgumentException e) {
            // Both name the table and what to change in flightcdc.source.tables.
            throw new StartupException(e.getMessage(), e);
        }
    }
}
