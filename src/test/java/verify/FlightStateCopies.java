package verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import e2e.FreePorts;
import embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import source.SourceCatalog;
import source.SourceDatabase;
import warehouse.ChangeBatch;
import warehouse.ChangeEvent;
import warehouse.SourcePosition;
import warehouse.TableId;
import warehouse.TableSchema;
import warehouse.duckdb.DuckDbWarehouse;

/**
 * The two copies of flight_state that verify compares, made by the project's own code: a real
 * embedded PostgreSQL with the schema from sql/, and DuckDB warehouse files that the warehouse
 * prepares and loads from Debezium-style row images. Each row is given once, as the JSON Debezium
 * would carry, and written to both sides from it, so "the same data" means the same thing it means
 * in the pipeline.
 */
public final class FlightStateCopies implements AutoCloseable {

    public static final TableId TABLE = new TableId("public", "flight_state");

    /** Every column type of flight_state, NULLs, an empty array, non-ASCII text and microseconds. */
    public static final List<String> ROWS = List.of(
            """
            {"icao24":"abc123","callsign":"DLH1    ","origin_country":"Germany",
             "time_position":"2024-05-01T10:00:00.123456Z","last_contact":"2024-05-01T10:00:05.000001Z",
             "longitude":8.5706,"latitude":50.0333,"baro_altitude":10668.0,"on_ground":false,"velocity":230.5,
             "true_track":90.0,"vertical_rate":-0.33,"sensors":[1,2,3],"geo_altitude":0.30000000000000004,
             "squawk":"1000","spi":false,"position_source":0,"category":3}""",
            """
            {"icao24":"c0ffee","callsign":"日本航空  ","origin_country":"Côte d'Ivoire",
             "time_position":"2024-05-01T10:00:00Z","last_contact":"2024-05-01T10:00:01.5Z",
             "longitude":-0.0,"latitude":35.55,"baro_altitude":0,"on_ground":true,"velocity":5.1,
             "true_track":180,"vertical_rate":0,"sensors":[],"geo_altitude":null,
             "squawk":"7700","spi":true,"position_source":2,"category":0}""",
            """
            {"icao24":"3c4b5a","callsign":"Zürich✈","origin_country":null,"time_position":null,
             "last_contact":null,"longitude":null,"latitude":null,"baro_altitude":null,"on_ground":null,
             "velocity":null,"true_track":null,"vertical_rate":null,"sensors":null,"geo_altitude":null,
             "squawk":null,"spi":null,"position_source":null,"category":null}""");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmbeddedPostgresServer postgres;
    private final SourceDatabase source;
    private final TableSchema schema;

    private FlightStateCopies(EmbeddedPostgresServer postgres, SourceDatabase source, TableSchema schema) {
        this.postgres = postgres;
        this.source = source;
        this.schema = schema;
    }

    /** A new folder under target/ for one test class's databases. */
    public static Path newDirectory(String prefix) throws Exception {
        return Files.createTempDirectory(Files.createDirectories(Path.of("target", "verify")), prefix);
    }

    /** Starts PostgreSQL on a free loopback port with its data in {@code postgresData} and applies sql/. */
    public static FlightStateCopies start(Path postgresData) throws Exception {
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(postgresData, FreePorts.one());
        SourceDatabase source = SourceDatabase.of(postgres);
        try {
            source.migrate();
            return new FlightStateCopies(postgres, source, new SourceCatalog(source.dataSource()).describe(TABLE));
        } catch (Exception e) {
            source.close();
            postgres.close();
            throw e;
        }
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    /** The superuser's password, which the server generated: what a user gives for a server of their own. */
    public String password() {
        return postgres.password();
    }

    public TableSchema schema() {
        return schema;
    }

    /** Another table of the source, as the pipeline's catalog describes it. */
    public TableSchema describe(TableId table) throws Exception {
        return new SourceCatalog(source.dataSource()).describe(table);
    }

    public Connection sourceConnection() throws Exception {
        return source.dataSource().getConnection();
    }

    /** Empties the source table and fills it with these rows. */
    public void replaceSource(List<String> rows) throws Exception {
        try (Connection c = sourceConnection()) {
            try (Statement s = c.createStatement()) {
                s.execute("TRUNCATE flight_state");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO flight_state SELECT * FROM json_populate_record(NULL::flight_state, ?::json)")) {
                for (String row : rows) {
                    ps.setString(1, row);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    public void sourceSql(String sql) throws Exception {
        try (Connection c = sourceConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * Writes a new warehouse file the way the load stage does: tables prepared from the source's
     * schema, the rows loaded as Debezium creates; then runs {@code sql} on it, to make it differ.
     */
    public void writeWarehouse(Path file, List<String> rows, String... sql) throws Exception {
        Files.deleteIfExists(file);
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file)) {
            warehouse.prepare(List.of(schema));
            warehouse.load(creates(TABLE, rows));
            try (Connection c = warehouse.newReader(); Statement s = c.createStatement()) {
                for (String statement : sql) {
                    s.execute(statement);
                }
            }
        }
    }

    /** A batch that creates these rows, each Debezium's JSON of a row of {@code table}, as Kafka would hold them. */
    public static ChangeBatch creates(TableId table, List<String> rows) throws Exception {
        List<ChangeEvent> creates = new ArrayList<>();
        for (String row : rows) {
            long offset = creates.size();
            creates.add(new ChangeEvent("flightcdc." + table, 0, offset, table,
                    ChangeEvent.Operation.CREATE, new SourcePosition(1000 + offset, 1000 + offset, 1L),
                    1L, 1_714_557_600_000L, JSON.readTree(row), row));
        }
        return ChangeBatch.of(creates);
    }

    /** A minimal row of flight_state with this key. */
    public static String row(String icao24) {
        return "{\"icao24\":\"" + icao24 + "\",\"callsign\":\"TEST    \",\"last_contact\":\"2024-05-01T10:00:00Z\"}";
    }

    @Override
    public void close() throws Exception {
        source.close();
        postgres.close();
    }
}
