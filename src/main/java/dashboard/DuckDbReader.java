package dashboard;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * The embedded DuckDB warehouse, read through the pipeline's own database: DuckDB lets one process open the file, so
 * each reading connection is a duplicate of the loader's ({@link DuckDbWarehouse#newReader}), which sees every load
 * once it is committed and never holds up the loader.
 */
public final class DuckDbReader implements WarehouseReader {

    private final DuckDbWarehouse warehouse;
    private final Path file;
    private final ConsoleFence fence = new DuckDbConsoleFence();

    public DuckDbReader(DuckDbWarehouse warehouse, Path file) {
        this.warehouse = warehouse;
        this.file = file;
    }

    @Override
    public Connection connect() throws SQLException {
        Connection connection = warehouse.newReader();
        // A duplicate takes the loader's auto-commit, which is off while a batch loads: each read sees the newest load.
        connection.setAutoCommit(true);
        return connection;
    }

    @Override
    public String currentState() {
        return "flight_state";
    }

    @Override
    public ConsoleFence consoleFence() {
        return fence;
    }

    @Override
    public String description() {
        return "DuckDB " + file;
    }

    @Override
    public void close() {
        // Its connections are closed after each read; the database is the loader's to close.
    }
}
