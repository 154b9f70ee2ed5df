package warehouse.duckdb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBColumnType;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBFunctions;
import org.duckdb.DuckDBLogicalType;
import org.duckdb.DuckDBScalarFunctionBuilder;
import warehouse.ChangeEvent;
import warehouse.MergeSqlGenerator;
import warehouse.MetadataColumn;
import warehouse.SnapshotLoad.CsvBatch;
import warehouse.SnapshotLoad.RowPartitions;
import warehouse.StageRows.StageRow;
import warehouse.TableSchema;
import warehouse.jdbc.Stager;

/**
 * Stages with DuckDB's appender, which writes rows straight into the table: no per-row statements. A direct snapshot's
 * CSV files DuckDB's own reader stages, which takes a fraction of what the appender takes for the same rows.
 */
final class DuckDbAppenderStager implements Stager {

    /**
     * The longest line DuckDB's CSV reader takes, 2 MiB unless told: here PostgreSQL's longest value, 1 GiB, so that a
     * row is not refused for a long value (DirectSnapshotCsvTest loads one of 3 MiB).
     */
    private static final long MAX_LINE_BYTES = 1L << 30;
    private static final DuckDbDialect DIALECT = new DuckDbDialect();
    private static final AtomicInteger STAGERS = new AtomicInteger();

    private final MergeSqlGenerator sql;
    private final Path csvDirectory;
    /**
     * The SQL function that gives a CSV row its Kafka partition from its key (SnapshotLoad.RowPartitions.ByKey), for the
     * topics of several partitions: DuckDB registers a function for the whole database, so each stager (one a writer)
     * has one of its own name, which calls the key's function of the batch it stages.
     */
    private final String partitionFunction = "flightcdc_snapshot_partition_" + STAGERS.incrementAndGet();
    private volatile ToIntFunction<String[]> partitionOfKey;
    /** The connection {@link #partitionFunction} was registered through: a new one, after DuckDB invalidated the old. */
    private Connection registeredThrough;

    DuckDbAppenderStager(MergeSqlGenerator sql, Path csvDirectory) {
        this.sql = sql;
        this.csvDirectory = csvDirectory;
    }

    @Override
    public void stage(Connection connection, TableSchema table, List<StageRow> rows) throws SQLException {
        DuckDBConnection duckdb = connection.unwrap(DuckDBConnection.class);
        try (DuckDBAppender appender = duckdb.createAppender(DuckDBConnection.DEFAULT_SCHEMA, sql.stageTable(table))) {
            for (StageRow row : rows) {
                appender.beginRow();
                for (MetadataColumn c : MetadataColumn.STAGE) {
                    append(appender, c.type(), c.value(row.change()));
                }
                for (String value : row.values()) {
                    appender.append(value);
                }
                appender.append(row.unavailable());
                appender.endRow();
            }
        }
    }

    @Override
    public Optional<Path> csvDirectory() {
        return Optional.of(csvDirectory);
    }

    /**
     * PostgreSQL's CSV as it is: no header, a comma, quotes doubled, one line a row (a value's line breaks quoted). An
     * unquoted empty field is NULL and a quoted one the empty string; nothing is guessed from the data.
     */
    @Override
    public long stageCsv(Connection connection, TableSchema table, CsvBatch batch) throws SQLException {
        int width = table.columns().size();
        String partition = "?";
        if (batch.partitions() instanceof RowPartitions.ByKey byKey) {
            registerPartitionFunction(connection);
            partitionOfKey = byKey.partitionOfKey();
            partition = Arrays.stream(byKey.keyColumns()).mapToObj(i -> "c" + i)
                    .collect(Collectors.joining(", ", partitionFunction + "(", ")"));
        }
        List<String> values = new ArrayList<>();
        for (MetadataColumn c : MetadataColumn.STAGE) {
            values.add(switch (c) {
                case OP -> "'" + ChangeEvent.Operation.READ.code() + "'";
                case LSN, SOURCE_TS_MS, KAFKA_TOPIC -> "?";
                case KAFKA_PARTITION -> partition;
                case TX_ID -> "CAST(NULL AS BIGINT)";
                // The run of offsets down from the first: which row gets which does not matter, each gets one.
                case KAFKA_OFFSET -> "? + 1 - row_number() OVER ()";
                default -> throw new IllegalStateException("No value for a snapshot's staged " + c);
            });
        }
        IntStream.range(0, width).forEach(i -> values.add("c" + i));
        values.add("NULL");
        String columns = IntStream.range(0, width).mapToObj(i -> "'c" + i + "': 'VARCHAR'")
                .collect(Collectors.joining(", ", "{", "}"));
        String insert = "INSERT INTO " + DIALECT.quote(sql.stageTable(table)) + " SELECT "
                + String.join(", ", values) + " FROM read_csv('" + batch.file().toAbsolutePath().toString().replace("'", "''")
                + "', header = false, auto_detect = false, delim = ',', quote = '\"', escape = '\"', new_line = '\\n',"
                + " columns = " + columns + ", allow_quoted_nulls = false, strict_mode = true, max_line_size = "
                + MAX_LINE_BYTES + ")";
        try (PreparedStatement ps = connection.prepareStatement(insert)) {
            int i = 1;
            for (MetadataColumn c : MetadataColumn.STAGE) {
                switch (c) {
                    case LSN -> ps.setLong(i++, batch.lsn());
                    case SOURCE_TS_MS -> ps.setLong(i++, batch.sourceTsMs());
                    case KAFKA_TOPIC -> ps.setString(i++, batch.topic());
                    case KAFKA_PARTITION -> {
                        if (batch.partitions() instanceof RowPartitions.One one) {
                            ps.setInt(i++, one.partition());
                        }
                    }
                    case KAFKA_OFFSET -> ps.setLong(i++, batch.firstOffset());
                    default -> {
                    }
                }
            }
            return ps.executeUpdate();
        } finally {
            partitionOfKey = null;
        }
    }

    /** {@link #partitionFunction}: the key columns' text in, the partition out; DuckDB calls it from its own threads. */
    private void registerPartitionFunction(Connection connection) throws SQLException {
        if (connection == registeredThrough) {
            return;
        }
        try (DuckDBLogicalType text = DuckDBLogicalType.of(DuckDBColumnType.VARCHAR);
             DuckDBScalarFunctionBuilder function = DuckDBFunctions.scalarFunction()) {
            function.withName(partitionFunction).withVarArgs(text).withReturnType(DuckDBColumnType.INTEGER)
                    .withVarArgsFunction(key -> partitionOfKey.applyAsInt(Arrays.copyOf(key, key.length, String[].class)))
                    .register(connection.unwrap(DuckDBConnection.class));
        }
        registeredThrough = connection;
    }

    /** The appender checks each value's type against its column's: a Long for a BIGINT, not an Integer. */
    private static void append(DuckDBAppender appender, MetadataColumn.Type type, Object value) throws SQLException {
        switch (type) {
            case TEXT -> appender.append((String) value);
            case BIGINT -> appender.append((Long) value);
            case INTEGER -> appender.append((Integer) value);
            default -> throw new IllegalArgumentException("No staged column is a " + type);
        }
    }
}
