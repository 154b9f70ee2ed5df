package dashboard;

import analytics.FlightAnalyticsViews;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's SQL console: a query anyone who reaches the dashboard writes, run against the running warehouse
 * within its {@link ConsoleFence} (nothing but reading), cancelled when it runs for longer than the timeout, and cut
 * at a number of rows, saying so. Values come back as the warehouse renders them as text, so that none is rounded
 * on its way to the page or the CSV file.
 */
public final class ReadOnlyConsole implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyConsole.class);
    private static final Set<Integer> NUMERIC = Set.of(Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT,
            Types.REAL, Types.FLOAT, Types.DOUBLE, Types.NUMERIC, Types.DECIMAL);
    private static final CsvMapper CSV = new CsvMapper();

    private final WarehouseReader warehouse;
    private final Duration timeout;
    private final int maxRows;
    /** Cancels the queries that run too long; one thread is enough, it only calls Statement.cancel. */
    private final ScheduledExecutorService canceller = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "dashboard-console-timeout");
        thread.setDaemon(true);
        return thread;
    });

    public ReadOnlyConsole(WarehouseReader warehouse, Duration timeout, int maxRows) {
        this.warehouse = warehouse;
        this.timeout = timeout;
        this.maxRows = maxRows;
    }

    /** A result's column: its name, the warehouse's type, and whether it holds numbers (the page aligns them right). */
    public record ResultColumn(String name, String type, boolean numeric) {
    }

    /**
     * @param truncated whether the query had more rows than {@code maxRows}, of which only the first are here
     * @param elapsedMs from the query's start to its last row read
     */
    public record Result(List<ResultColumn> columns, List<List<String>> rows, boolean truncated, int maxRows,
                         long elapsedMs) {
    }

    /** A view the console offers one click away, and the query that reads it. */
    public record View(String name, String query) {
    }

    /** What the console offers: the views, its limits, and why it is off where it is. */
    public record Offer(List<View> views, long timeoutMs, int maxRows, String unavailable) {
    }

    public Offer offer() {
        List<View> views = FlightAnalyticsViews.NAMES.stream().map(v -> new View(v, FlightAnalyticsViews.select(v))).toList();
        return new Offer(views, timeout.toMillis(), maxRows, warehouse.consoleFence().unavailable().orElse(null));
    }

    /**
     * Runs {@code sql} and returns its first {@code maxRows} rows.
     *
     * @throws ConsoleException when it is refused, cancelled, or the warehouse cannot run it
     */
    public Result query(String sql) {
        String query = sql == null ? "" : sql.strip();
        ConsoleFence fence = warehouse.consoleFence();
        fence.unavailable().ifPresent(why -> {
            throw new ConsoleException(ConsoleException.Reason.REFUSED, why);
        });
        if (query.isEmpty()) {
            throw new ConsoleException(ConsoleException.Reason.REFUSED, "There is no query to run");
        }
        long started = System.nanoTime();
        try (Connection connection = warehouse.connect()) {
            Optional<String> refusal = fence.refusal(connection, query);
            if (refusal.isPresent()) {
                LOG.info("Console refused a query: {}", oneLine(query));
                throw new ConsoleException(ConsoleException.Reason.REFUSED, refusal.get());
            }
            fence.begin(connection);
            try {
                return run(connection, query, started);
            } finally {
                try {
                    fence.end(connection);
                } catch (SQLException e) {
                    // Not to hide why the query ended: the connection is closed next, which ends its transaction anyway.
                    LOG.debug("Ending a console query's transaction failed: {}", e.getMessage());
                }
            }
        } catch (SQLException e) {
            // The whole message: DuckDB's points at the place in the query.
            throw new ConsoleException(ConsoleException.Reason.FAILED, e.getMessage() == null ? e.toString() : e.getMessage().strip());
        }
    }

    /** The result of {@link #query} as CSV, with a header line of the column names. */
    public String csv(String sql) {
        Result result = query(sql);
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        result.columns().forEach(c -> schema.addColumn(c.name()));
        StringWriter text = new StringWriter();
        try (SequenceWriter rows = CSV.writer(schema.build()).writeValues(text)) {
            for (List<String> row : result.rows()) {
                rows.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private Result run(Connection connection, String query, long started) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            AtomicBoolean cancelled = new AtomicBoolean();
            // Over the whole query, its rows read included: a warehouse may compute them as they are fetched.
            ScheduledFuture<?> deadline = canceller.schedule(() -> {
                cancelled.set(true);
                try {
                    statement.cancel();
                } catch (SQLException e) {
                    LOG.warn("Could not cancel a console query that ran over {} ms: {}", timeout.toMillis(), e.getMessage());
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            try (ResultSet rs = statement.executeQuery(query)) {
                return read(rs, started);
            } catch (SQLException e) {
                if (cancelled.get()) {
                    LOG.info("Console query cancelled after {} ms: {}", timeout.toMillis(), oneLine(query));
                    throw new ConsoleException(ConsoleException.Reason.CANCELLED, "Cancelled: the query ran for longer"
                            + " than " + timeout.toMillis() + " ms (flightcdc.http.query-timeout-ms)");
                }
                throw e;
            } finally {
                deadline.cancel(false);
            }
        }
    }

    private Result read(ResultSet rs, long started) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<ResultColumn> columns = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(new ResultColumn(md.getColumnLabel(i), md.getColumnTypeName(i), NUMERIC.contains(md.getColumnType(i))));
        }
        List<List<String>> rows = new ArrayList<>();
        boolean truncated = false;
        while (rs.next()) {
            if (rows.size() == maxRows) {
                truncated = true;
                break;
            }
            List<String> row = new ArrayList<>(columns.size());
            for (int i = 1; i <= columns.size(); i++) {
                row.add(rs.getString(i));
            }
            rows.add(row);
        }
        return new Result(columns, rows, truncated, maxRows, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private static String oneLine(String query) {
        String line = query.replaceAll("\\s+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    @Override
    public void close() {
        canceller.shutdownNow();
    }
}
