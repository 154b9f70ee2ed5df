package cli;

import settings.PipelineSettings;
import settings.StartupException;
import embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.duckdb.DuckDBDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import source.SourceCatalog;
import source.SourceDatabase;
import verify.TableComparison;
import warehouse.MergeSqlGenerator;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.duckdb.DuckDbDialect;

/**
 * Compares every captured table in the source PostgreSQL with its current-state table in the
 * DuckDB warehouse. Reads the same settings as {@code run}; starts the embedded PostgreSQL from
 * the data folder for as long as it runs when no external one is configured.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
            "Compare the source PostgreSQL with the DuckDB warehouse, per captured table: row counts, a checksum"
                    + " over every column, and the keys that differ.",
            "Stop the pipeline first (DuckDB allows one writer). Exit code 0: they match; 1: they differ;"
                    + " 2: they could not be compared."})
public class VerifyCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(VerifyCommand.class);

    @Mixin
    SettingOptions options = new SettingOptions();

    @Option(names = "--max-keys", description = "List at most this many differing keys per table (default: 20).")
    int maxKeys = 20;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (maxKeys < 0) {
            throw new ParameterException(spec.commandLine(), "--max-keys must be 0 or more, got " + maxKeys);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean allMatch = true;
        for (TableComparison comparison : compareAll(options.resolve(), maxKeys)) {
            out.println(comparison.summary());
            allMatch &= comparison.matches();
        }
        return allMatch ? 0 : 1;
    }

    /**
     * Compares every captured table of {@code settings}, listing at most {@code maxKeys} differing keys
     * per table. The pipeline must be stopped: it holds the warehouse and the embedded PostgreSQL.
     */
    static List<TableComparison> compareAll(PipelineSettings settings, int maxKeys) throws SQLException, IOException {
        PipelineSettings.Source sourceSettings = settings.source();
        Path duckdb = settings.warehouse().duckdbPath();
        Path postgresData = settings.dataDir().resolve("postgres");
        if (sourceSettings.embedded() && !Files.isDirectory(postgresData)) {
            throw new StartupException("No embedded PostgreSQL data in " + postgresData
                    + ": run the pipeline first with this --data-dir, or pass --postgres-url");
        }
        if (!Files.exists(duckdb)) {
            throw new StartupException("No warehouse at " + duckdb + ": run the pipeline first, or pass --duckdb");
        }
        // The warehouse first: when the pipeline still runs, its lock says so before a server is started.
        try (Connection warehouse = openReadOnly(duckdb);
             EmbeddedPostgresServer embedded = sourceSettings.embedded()
                     ? EmbeddedPostgresServer.start(postgresData, sourceSettings.embeddedPort()) : null;
             SourceDatabase source = embedded != null ? SourceDatabase.of(embedded) : new SourceDatabase(
                     sourceSettings.jdbcUrl().orElseThrow(), sourceSettings.user(), sourceSettings.password().value());
             Connection sourceConnection = connect(source, embedded != null ? embedded.user() : sourceSettings.user())) {
            LOG.info("Comparing source {}:{}/{} with warehouse {}", source.host(), source.port(), source.database(), duckdb);
            SourceCatalog catalog = new SourceCatalog(source.dataSource());
            List<TableComparison> comparisons = new ArrayList<>();
            for (TableId id : sourceSettings.tables()) {
                comparisons.add(compare(describe(catalog, id), sourceConnection, warehouse, duckdb, maxKeys));
            }
            return comparisons;
        }
    }

    private static TableComparison compare(TableSchema table, Connection source, Connection warehouse, Path duckdb,
                                           int maxKeys) throws SQLException {
        TableId id = table.id();
        String warehouseTable = new MergeSqlGenerator(new DuckDbDialect()).currentTable(table);
        if (!hasTable(warehouse, warehouseTable)) {
            throw new StartupException("The warehouse " + duckdb + " has no table " + warehouseTable + " for "
                    + id + ": run the pipeline with " + id + " in flightcdc.source.tables first");
        }
        try {
            return TableComparison.compare(table,
                    new TableComparison.Location(source, List.of(id.schema(), id.name())),
                    new TableComparison.Location(warehouse, List.of(warehouseTable)), maxKeys);
        } catch (SQLException e) {
            // DuckDB's messages go on with suggestions and a caret under the SQL: the first line says it.
            throw new StartupException("Cannot compare " + id + " with the warehouse table " + warehouseTable
                    + " in " + duckdb + ": " + e.getMessage().strip().lines().findFirst().orElse(""), e);
        }
    }

    private static Connection openReadOnly(Path duckdb) {
        Properties properties = new Properties();
        properties.setProperty(DuckDBDriver.DUCKDB_READONLY_PROPERTY, "true");
        // Hand rows over as DuckDB produces them instead of materialising the whole table first.
        properties.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true");
        try {
            return DriverManager.getConnection("jdbc:duckdb:" + duckdb.toAbsolutePath(), properties);
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("lock")) {
                throw new StartupException("The warehouse " + duckdb + " is in use by another process (DuckDB allows"
                        + " one writer, and the pipeline holds it while it runs): stop the pipeline, then verify again", e);
            }
            throw new StartupException("Cannot open the warehouse " + duckdb + ": " + e.getMessage().strip(), e);
        }
    }

    private static boolean hasTable(Connection warehouse, String name) throws SQLException {
        // The name is a LIKE pattern here ('_' matches any character), hence the exact comparison.
        try (ResultSet tables = warehouse.getMetaData().getTables(null, null, name, null)) {
            while (tables.next()) {
                if (name.equals(tables.getString("TABLE_NAME"))) {
                    return true;
                }
            }
            return false;
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
