package verify;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.duckdb.DuckDBDriver;
import settings.StartupException;
import warehouse.MergeSqlGenerator;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.duckdb.DuckDbConnections;
import warehouse.duckdb.DuckDbDialect;

/** The embedded DuckDB warehouse, its file opened read-only: the pipeline must be stopped, as it holds the file. */
final class DuckDbFile implements VerifiedWarehouse {

    private static final DuckDbDialect DIALECT = new DuckDbDialect();

    private final Path file;
    private final Connection connection;

    private DuckDbFile(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    static DuckDbFile open(Path file) {
        if (!Files.exists(file)) {
            throw new StartupException("No warehouse at " + file + ": run the pipeline first, or pass --duckdb");
        }
        Properties properties = new Properties();
        properties.setProperty(DuckDBDriver.DUCKDB_READONLY_PROPERTY, "true");
        // Hand rows over as DuckDB produces them instead of materialising the whole table first.
        properties.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true");
        try {
            return new DuckDbFile(file, DuckDbConnections.open(file, properties));
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("lock")) {
                throw new StartupException("The warehouse " + file + " is in use by another process (DuckDB allows"
                        + " one writer, and the pipeline holds it while it runs): stop the pipeline, then verify again", e);
            }
            throw new StartupException("Cannot open the warehouse " + file + ": " + e.getMessage().strip(), e);
        }
    }

    @Override
    public String name() {
        return file.toString();
    }

    @Override
    public CurrentState currentState(TableSchema table) {
        String name = CurrentState.catalogName(DIALECT, new MergeSqlGenerator(DIALECT).currentTable(table));
        return new CurrentState("table", new TableComparison.Location(connection, List.of(name)));
    }

    @Override
    public String whenMissing(TableId table) {
        return "run the pipeline with " + table + " in flightcdc.source.tables first";
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
