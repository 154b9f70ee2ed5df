package cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import warehouse.duckdb.DuckDbConnections;

/** Runs SQL against the DuckDB warehouse, read-only, and prints the result as a table. */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Query the DuckDB warehouse (read-only; stop the pipeline first: DuckDB allows one writer).")
public class QueryCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SQL", description = "e.g. \"SELECT count(*) FROM flight_state\"")
    String sql;

    @Option(names = "--duckdb", description = "Warehouse file (default: data/warehouse.duckdb).")
    Path duckdb = Path.of("data", "warehouse.duckdb");

    @Option(names = "--max-rows", description = "Print at most this many rows (default: 50).")
    int maxRows = 50;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(duckdb)) {
            System.err.println("No warehouse at " + duckdb + ": run the pipeline first, or pass --duckdb");
            return 2;
        }
        Properties readOnly = new Properties();
        readOnly.setProperty("duckdb.read_only", "true");
        try (Connection c = DuckDbConnections.open(duckdb, readOnly);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            print(rs);
        } catch (SQLException e) {
            System.err.println(e.getMessage().strip());
            return 1;
        }
        return 0;
    }

    private void print(ResultSet rs) throws Exception {
        ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[n];
        for (int i = 0; i < n; i++) {
            header[i] = meta.getColumnLabel(i + 1);
        }
        rows.add(header);
        int count = 0;
        while (rs.next()) {
            if (count++ < maxRows) {
                String[] row = new String[n];
                for (int i = 0; i < n; i++) {
                    row[i] = String.valueOf(rs.getObject(i + 1));
                }
                rows.add(row);
            }
        }
        int[] width = new int[n];
        rows.forEach(r -> {
            for (int i = 0; i < n; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        });
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < n; i++) {
                line.append(i == 0 ? "" : " | ").append(String.format("%-" + width[i] + "s", r[i]));
            }
            System.out.println(line.toString().stripTrailing());
        }
        System.out.println("(" + count + " row" + (count == 1 ? "" : "s") + (count > maxRows ? ", first " + maxRows + " shown" : "") + ")");
    }
}
